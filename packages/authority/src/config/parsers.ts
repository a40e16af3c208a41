import { SIGNING_ALGORITHMS } from '@tessera/jose'

/** Thrown by a parser; load-config prefixes the setting and environment name. */
export class SettingError extends Error {}

const UNITS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 }

export function parseString(raw: unknown): string {
  if (typeof raw !== 'string' || raw.length === 0) throw new SettingError('must be a non-empty string')
  return raw
}

export function parseInteger(min: number, max: number): (raw: unknown) => number {
  return (raw) => {
    const value = typeof raw === 'string' && /^\d+$/.test(raw.trim()) ? Number(raw) : raw
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
      throw new SettingError(`must be an integer from ${min} to ${max}`)
    }
    return value
  }
}

function describeSeconds(seconds: number): string {
  if (seconds >= 86_400 && seconds % 86_400 === 0) return `${seconds / 86_400}d`
  if (seconds >= 3600 && seconds % 3600 === 0) return `${seconds / 3600}h`
  if (seconds >= 60 && seconds % 60 === 0) return `${seconds / 60}m`
  return `${seconds}s`
}

/** A duration in seconds: a number, a numeric string, or "<n><s|m|h|d|w>". */
export function parseDuration(min: number, max: number): (raw: unknown) => number {
  return (raw) => {
    let seconds: number | undefined
    if (typeof raw === 'number') seconds = raw
    else if (typeof raw === 'string') {
      const match = /^(\d+(?:\.\d+)?)\s*([smhdw]?)$/.exec(raw.trim())
      if (match) seconds = Number(match[1]) * (UNITS[match[2] || 's'] ?? 1)
    }
    if (seconds === undefined || !Number.isFinite(seconds) || seconds < min || seconds > max) {
      throw new SettingError(
        `must be a duration from ${describeSeconds(min)} to ${describeSeconds(max)} (seconds, or like "15m")`,
      )
    }
    return seconds
  }
}

/** Asymmetric JWS algorithms only: the JWKS publishes public keys. */
export const ALLOWED_ALGORITHMS: readonly string[] = SIGNING_ALGORITHMS.filter(
  (alg) => !alg.startsWith('HS') && alg !== 'none',
)

export function parseAlgorithm(raw: unknown): string {
  if (typeof raw !== 'string' || !ALLOWED_ALGORITHMS.includes(raw)) {
    throw new SettingError(`must be one of ${ALLOWED_ALGORITHMS.join(', ')}`)
  }
  return raw
}

export function parseIssuer(raw: unknown): string {
  if (typeof raw !== 'string') throw new SettingError('must be a URL')
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new SettingError('must be an absolute URL')
  }
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new SettingError('must use https (http only for localhost)')
  }
  // RFC 8414 §2: the issuer has no query or fragment.
  if (url.search || url.hash) throw new SettingError('must not have a query or fragment')
  return raw.replace(/\/+$/, '')
}

/** Bearer secrets: at least 32 visible ASCII characters (RFC 6750 b64token allows no spaces). */
export const ADMIN_TOKEN_SHAPE = /^[\x21-\x7E]{32,512}$/

export function parseAdminToken(raw: unknown): string {
  if (typeof raw !== 'string' || !ADMIN_TOKEN_SHAPE.test(raw)) {
    throw new SettingError('must be at least 32 visible ASCII characters (and at most 512)')
  }
  return raw
}

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']

export function parseLogLevel(raw: unknown): string {
  if (typeof raw !== 'string' || !LEVELS.includes(raw))
    throw new SettingError(`must be one of ${LEVELS.join(', ')}`)
  return raw
}

export function parseBoolean(raw: unknown): boolean {
  if (raw === true || raw === 'true' || raw === '1') return true
  if (raw === false || raw === 'false' || raw === '0') return false
  throw new SettingError('must be true or false')
}

/** An SMTP URL for nodemailer: smtp:// or smtps://, with a host. */
export function parseSmtpUrl(raw: unknown): string {
  const text = parseString(raw)
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new SettingError('must be a URL such as smtp://user:pass@host:587')
  }
  if ((url.protocol !== 'smtp:' && url.protocol !== 'smtps:') || url.hostname === '') {
    throw new SettingError('must be a smtp:// or smtps:// URL with a host')
  }
  return text
}

/** An absolute http: or https: URL without credentials (it is logged and posted to). */
export function parseWebhookUrl(raw: unknown): string {
  const value = parseString(raw)
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new SettingError('must be an absolute URL')
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new SettingError('must be an http: or https: URL')
  if (url.username || url.password) throw new SettingError('must not carry credentials')
  return url.toString()
}

/** A WebAuthn RP ID: a lower-case host name (no scheme, port or path); browsers refuse IP addresses. */
export function parseRpId(raw: unknown): string {
  const value = parseString(raw).toLowerCase()
  if (
    !/^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/.test(
      value,
    )
  )
    throw new SettingError('must be a host name such as example.com (no scheme, port or path)')
  return value
}

/** Origins, comma-separated: each https://host[:port], or http:// for localhost only; at most 10. */
export function parseOrigins(raw: unknown): readonly string[] {
  const items = (Array.isArray(raw) ? raw : parseString(raw).split(','))
    .map((item) => (typeof item === 'string' ? item.trim() : ''))
    .filter((item) => item !== '')
  if (items.length === 0 || items.length > 10) throw new SettingError('must list 1 to 10 origins')
  return Object.freeze(
    items.map((item) => {
      let url: URL
      try {
        url = new URL(item)
      } catch {
        throw new SettingError(`"${item}" is not an origin such as https://id.example.com`)
      }
      const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)
      if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback))
        throw new SettingError(`"${item}" must use https (http only for localhost)`)
      if (url.origin !== item.replace(/\/+$/, ''))
        throw new SettingError(`"${item}" must be an origin: no path, query or credentials`)
      return url.origin
    }),
  )
}

/** A Redis URL for ioredis: redis:// or rediss://, with a host. */
export function parseRedisUrl(raw: unknown): string {
  const text = parseString(raw)
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new SettingError('must be a URL such as redis://127.0.0.1:6379')
  }
  if ((url.protocol !== 'redis:' && url.protocol !== 'rediss:') || url.hostname === '') {
    throw new SettingError('must be a redis:// or rediss:// URL with a host')
  }
  return text
}

const LIMITS_STORES = ['redis', 'database', 'memory'] as const

export function parseLimitsStore(raw: unknown): (typeof LIMITS_STORES)[number] {
  const value = LIMITS_STORES.find((store) => store === raw)
  if (value === undefined) throw new SettingError(`must be one of ${LIMITS_STORES.join(', ')}`)
  return value
}
