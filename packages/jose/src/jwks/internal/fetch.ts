import { JOSEError } from '../../errors.js'
import { parseStrictJSONBytes } from '../../lib/json.js'

export interface JWKSFetchOptions {
  readonly timeoutMs: number
  readonly maxResponseBytes: number
  readonly headers: Readonly<Record<string, string>>
}

export interface JWKSResponse {
  readonly jwks: unknown
  /** The raw Cache-Control header, for the cache policy to read. */
  readonly cacheControl: string | null
}

// RFC 7517 §8.5 registers application/jwk-set+json; many issuers serve plain application/json.
const JSON_TYPE = /^application\/(?:jwk-set\+)?json\s*(?:;|$)/i

function failed(message: string, cause?: unknown): JOSEError {
  return new JOSEError('ERR_JWKS_FETCH_FAILED', message, cause === undefined ? undefined : { cause })
}

/** Reads the body chunk by chunk, so an oversized response is cut off before it is all in memory. */
async function readLimited(body: ReadableStream<Uint8Array>, limit: number): Promise<Uint8Array> {
  const reader = body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > limit) {
      await reader.cancel().catch(() => {})
      throw new JOSEError('ERR_JWKS_TOO_LARGE', `the JWK set response is larger than ${limit} bytes`)
    }
    chunks.push(value)
  }
  const bytes = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  return bytes
}

async function receive(response: Response, options: JWKSFetchOptions): Promise<JWKSResponse> {
  if (response.status !== 200) throw failed(`the JWK set request answered HTTP ${response.status}`)
  const type = response.headers.get('content-type') ?? ''
  if (!JSON_TYPE.test(type)) {
    throw new JOSEError('ERR_JWKS_CONTENT_TYPE', `the JWK set response is ${JSON.stringify(type)}, not JSON`)
  }
  const declared = Number(response.headers.get('content-length') ?? Number.NaN)
  if (declared > options.maxResponseBytes) {
    throw new JOSEError('ERR_JWKS_TOO_LARGE', `the JWK set response declares ${declared} bytes`)
  }
  const bytes = response.body ? await readLimited(response.body, options.maxResponseBytes) : new Uint8Array(0)
  let jwks: unknown
  try {
    jwks = parseStrictJSONBytes(bytes, 'the JWK set')
  } catch (error) {
    throw new JOSEError('ERR_JWKS_INVALID', 'the JWK set response is not valid JSON', { cause: error })
  }
  return { jwks, cacheControl: response.headers.get('cache-control') }
}

/**
 * GETs a JWK set. No cookies or credentials are sent, redirects are refused (a redirect could move
 * the trust anchor to another origin), and one timer bounds the connection, the headers and the body.
 */
export async function fetchJWKS(url: URL, options: JWKSFetchOptions): Promise<JWKSResponse> {
  const controller = new AbortController()
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    controller.abort()
  }, options.timeoutMs)
  try {
    const response = await fetch(url, {
      method: 'GET',
      headers: { accept: 'application/jwk-set+json, application/json', ...options.headers },
      credentials: 'omit',
      redirect: 'error',
      signal: controller.signal,
    })
    try {
      return await receive(response, options)
    } finally {
      // An unread body would hold the connection open; cancelling a consumed one is harmless.
      await response.body?.cancel().catch(() => {})
    }
  } catch (error) {
    if (timedOut) {
      throw new JOSEError('ERR_JWKS_TIMEOUT', `the JWK set did not arrive within ${options.timeoutMs} ms`)
    }
    if (error instanceof JOSEError) throw error
    throw failed(`the JWK set request failed: ${(error as Error)?.message ?? String(error)}`, error)
  } finally {
    clearTimeout(timer)
  }
}
