import { DiscoveryError } from '../errors.js'
import { readLimited } from '../lib/read-limited.js'

export interface DiscoveryOptions {
  allowInsecureHttp: boolean
  timeoutMs: number
  maxResponseBytes: number
}

/** The members of the issuer's metadata (RFC 8414 / OpenID Discovery) the gateway uses. */
export interface IssuerMetadata {
  readonly issuer: string
  readonly jwks_uri: string
  readonly [member: string]: unknown
}

/** RFC 8414 §3 puts the well-known segment before the issuer's path; OpenID Discovery after it. */
export function metadataUrls(issuer: string): URL[] {
  const url = new URL(issuer)
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '')
  return [
    new URL(`${url.origin}/.well-known/oauth-authorization-server${path}`),
    new URL(`${url.origin}${path}/.well-known/openid-configuration`),
  ]
}

export function assertFetchableUrl(value: string, option: string, allowInsecureHttp: boolean): URL {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new TypeError(`"${option}" must be an absolute URL`)
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && allowInsecureHttp))
    throw new TypeError(`"${option}" must be an https: URL (http: only with "allowInsecureHttp")`)
  if (url.username || url.password) throw new TypeError(`"${option}" must not carry credentials`)
  return url
}

/**
 * Fetches the issuer's metadata and returns it once its `issuer` is exactly the configured one
 * (RFC 8414 §3.3: otherwise an attacker's metadata could name the attacker's keys). No redirects,
 * a timeout and a size limit on each attempt.
 */
export async function discoverIssuer(issuer: string, options: DiscoveryOptions): Promise<IssuerMetadata> {
  const failures: string[] = []
  for (const url of metadataUrls(issuer)) {
    let text: string
    try {
      const response = await fetch(url, {
        redirect: 'error',
        headers: { accept: 'application/json' },
        signal: AbortSignal.timeout(options.timeoutMs),
      })
      if (response.status !== 200) {
        await response.body?.cancel()
        failures.push(`${url.href}: HTTP ${response.status}`)
        continue
      }
      text = await readLimited(response, options.maxResponseBytes)
    } catch (error) {
      failures.push(`${url.href}: ${(error as Error).message}`)
      continue
    }
    let metadata: unknown
    try {
      metadata = JSON.parse(text)
    } catch {
      throw new DiscoveryError(`${url.href} is not JSON`)
    }
    if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata))
      throw new DiscoveryError(`${url.href} is not a JSON object`)
    const record = metadata as Record<string, unknown>
    if (record.issuer !== issuer)
      throw new DiscoveryError(`${url.href} names another issuer than the configured one`)
    if (typeof record.jwks_uri !== 'string') throw new DiscoveryError(`${url.href} has no jwks_uri`)
    try {
      assertFetchableUrl(record.jwks_uri, 'jwks_uri', options.allowInsecureHttp)
    } catch (error) {
      throw new DiscoveryError(`${url.href}: ${(error as Error).message}`)
    }
    return Object.freeze(record) as IssuerMetadata
  }
  throw new DiscoveryError(`issuer metadata unavailable (${failures.join('; ')})`)
}
