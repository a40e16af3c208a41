import { createHmac } from 'node:crypto'
import type { JOSEHeaderParameters, JWTPayload } from '@tessera/jose'

export interface Warning {
  readonly code: string
  readonly message: string
}

/** Longer than this from iat (or now) to exp is a token nobody can take back in time. */
const LONG_LIFETIME = 86_400
/** Browsers cap a cookie near 4 KiB; many proxies refuse request headers past 8 KiB. */
const LARGE_TOKEN = 4096

/** Secrets from tutorials and defaults that tokens in the wild are signed with, checked offline. */
const WELL_KNOWN_SECRETS = [
  'your-256-bit-secret',
  'your-384-bit-secret',
  'your-512-bit-secret',
  'secret',
  'secretkey',
  'secret-key',
  'mysecret',
  'supersecret',
  'jwt-secret',
  'jwt_secret',
  'password',
  'changeme',
  'change-me',
  'shhhhh',
  'test',
  'key',
]

const HMAC_HASH: Readonly<Record<string, { hash: string; bytes: number }>> = {
  HS256: { hash: 'sha256', bytes: 32 },
  HS384: { hash: 'sha384', bytes: 48 },
  HS512: { hash: 'sha512', bytes: 64 },
}

const PII_NAMES = new Set([
  'email',
  'email_address',
  'phone',
  'phone_number',
  'mobile',
  'address',
  'street_address',
  'postal_code',
  'birthdate',
  'date_of_birth',
  'dob',
  'ssn',
  'national_id',
  'passport',
  'iban',
  'card_number',
  'credit_card',
  'name',
  'given_name',
  'family_name',
  'full_name',
  'ip',
  'ip_address',
])
const EMAIL = /^[^\s@]+@[^\s@]+\.[A-Za-z]{2,}$/
const PHONE = /^\+?\d[\d ()-]{7,}\d$/

function piiPaths(value: unknown, path: string, depth: number, found: string[]): void {
  if (depth > 5 || found.length >= 10) return
  if (typeof value === 'string') {
    if (EMAIL.test(value) || PHONE.test(value)) found.push(path)
    return
  }
  if (typeof value !== 'object' || value === null) return
  for (const [name, member] of Object.entries(value)) {
    const memberPath = Array.isArray(value) ? `${path}[${name}]` : path ? `${path}.${name}` : name
    if (PII_NAMES.has(name.toLowerCase())) found.push(memberPath)
    else piiPaths(member, memberPath, depth + 1, found)
  }
}

/** The HMAC secret from WELL_KNOWN_SECRETS that produced this token's signature, if one did. */
export function wellKnownSecret(token: string, alg: unknown): string | undefined {
  const hmac = typeof alg === 'string' ? HMAC_HASH[alg] : undefined
  if (!hmac) return undefined
  const dot = token.lastIndexOf('.')
  const input = token.slice(0, dot)
  const signature = token.slice(dot + 1)
  return WELL_KNOWN_SECRETS.find(
    (secret) => createHmac(hmac.hash, secret).update(input).digest('base64url') === signature,
  )
}

export interface WarningInput {
  readonly token: string
  readonly header: JOSEHeaderParameters
  readonly payload: JWTPayload | undefined
  readonly now: number
  /** Length in bytes of the HMAC secret the user holds, when they gave one. */
  readonly secretLength?: number
}

/** What a reviewer would point out about a token, most serious first. */
export function tokenWarnings(input: WarningInput): Warning[] {
  const { token, header, payload, now } = input
  const warnings: Warning[] = []
  if (header.alg === 'none') {
    warnings.push({ code: 'alg-none', message: 'alg "none": the token is unsigned; anyone can forge it' })
  }
  const hmac = typeof header.alg === 'string' ? HMAC_HASH[header.alg] : undefined
  const known = wellKnownSecret(token, header.alg)
  if (known !== undefined) {
    warnings.push({
      code: 'weak-secret',
      message: `${header.alg} signed with the well-known secret "${known}": anyone can forge it`,
    })
  } else if (hmac && input.secretLength !== undefined && input.secretLength < hmac.bytes) {
    warnings.push({
      code: 'short-secret',
      message: `${header.alg} secret of ${input.secretLength} bytes; at least ${hmac.bytes} random bytes are needed (RFC 7518 §3.2)`,
    })
  }
  if (header.alg === 'RSA1_5') {
    warnings.push({ code: 'rsa1_5', message: 'RSA1_5 key encryption is a padding oracle; use RSA-OAEP-256' })
  }
  if (payload !== undefined) {
    if (typeof payload.exp !== 'number') {
      warnings.push({ code: 'no-exp', message: 'no exp: the token never expires' })
    } else {
      const from = typeof payload.iat === 'number' ? payload.iat : now
      if (payload.exp - from > LONG_LIFETIME) {
        const days = Math.floor((payload.exp - from) / 86_400)
        warnings.push({
          code: 'long-lifetime',
          message: `lifetime of ${days} d: a stolen token stays useful that long; access tokens live minutes`,
        })
      }
    }
    const pii: string[] = []
    piiPaths(payload, '', 0, pii)
    if (pii.length > 0) {
      warnings.push({
        code: 'pii',
        message: `claims that look like personal data (${pii.join(', ')}): a signed token is readable by anyone who holds it; encrypt it (jwe) or leave them out`,
      })
    }
  }
  const size = Buffer.byteLength(token)
  if (size > LARGE_TOKEN) {
    warnings.push({
      code: 'large-token',
      message: `${size} bytes: larger than a cookie can hold (4 KiB); proxies may refuse the header`,
    })
  }
  return warnings
}
