import { CliError, failure, unreachable } from './exit.js'

export interface BoundedResponse {
  readonly status: number
  readonly headers: Headers
  readonly body: Buffer
}

/** The network reason behind a failed fetch, such as ECONNREFUSED or ENOTFOUND. */
function reason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause
  if (cause?.code) return cause.code
  if ((error as Error)?.name === 'TimeoutError') return 'timed out'
  return cause?.message ?? (error as Error)?.message ?? String(error)
}

/**
 * One request with one timeout over connection, headers and body, the body size limited while it
 * streams, and redirects not followed: a failure to connect is exit 3, an oversized answer exit 1.
 */
export async function fetchBounded(
  url: URL,
  options: {
    timeoutMs: number
    maxBytes: number
    method?: string
    headers?: Record<string, string>
    body?: string
  },
): Promise<BoundedResponse> {
  const signal = AbortSignal.timeout(options.timeoutMs)
  let response: Response
  try {
    response = await fetch(url, {
      method: options.method ?? 'GET',
      redirect: 'manual',
      signal,
      ...(options.headers ? { headers: options.headers } : {}),
      ...(options.body !== undefined ? { body: options.body } : {}),
    })
  } catch (error) {
    throw unreachable(`cannot reach ${url.origin}: ${reason(error)}`)
  }
  const chunks: Buffer[] = []
  let size = 0
  try {
    if (response.body) {
      for await (const chunk of response.body) {
        size += chunk.length
        if (size > options.maxBytes) {
          await response.body.cancel().catch(() => {})
          throw failure(`${url.href}: the response is larger than ${options.maxBytes} bytes`)
        }
        chunks.push(Buffer.from(chunk))
      }
    }
  } catch (error) {
    if (error instanceof CliError) throw error
    throw unreachable(`cannot read the response from ${url.origin}: ${reason(error)}`)
  }
  return { status: response.status, headers: response.headers, body: Buffer.concat(chunks) }
}
