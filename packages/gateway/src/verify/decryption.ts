import {
  compactDecrypt,
  decodeProtectedHeader,
  type ErrorCode,
  isJOSEError,
  type KeyInput,
} from '@tessera/jose'
import type { RefusalReason } from '../errors.js'
import { assertKnownOptions, assertStringList } from '../lib/options.js'

/**
 * How a verifier opens encrypted access tokens (nested JWTs: a JWE around the authority's JWS) issued
 * for its resource: the resource's private keys and the JWE algorithms it accepts.
 */
export interface DecryptionOptions {
  /** The resource's private keys; several during a rotation. A `kid` in the token picks among them. */
  keys: readonly KeyInput[]
  /** Accepted JWE `alg` values. Default ECDH-ES+A256KW, ECDH-ES, RSA-OAEP-256 (RSA1_5 is never accepted). */
  keyManagementAlgorithms?: readonly string[]
  /** Accepted JWE `enc` values. Default A256GCM, A128GCM, A256CBC-HS512, A128CBC-HS256. */
  contentEncryptionAlgorithms?: readonly string[]
}

/** `signed`: JWS only; `encrypted`: nested JWTs (JWE around a JWS) only; `either`: both, for a migration. */
export type TokenForm = 'signed' | 'encrypted' | 'either'

export const DEFAULT_KEY_MANAGEMENT_ALGORITHMS = ['ECDH-ES+A256KW', 'ECDH-ES', 'RSA-OAEP-256'] as const
export const DEFAULT_CONTENT_ENCRYPTION_ALGORITHMS = [
  'A256GCM',
  'A128GCM',
  'A256CBC-HS512',
  'A128CBC-HS256',
] as const
/** A rotation holds two or three keys; each one tried costs a key agreement or an RSA decryption. */
const MAX_KEYS = 8
/** Nested tokens are larger than signed ones: the JOSE core's default for encrypted JWTs. */
const MAX_ENCRYPTED_LENGTH = 16 * 1024

const UTF8 = new TextDecoder('utf-8', { fatal: true })

const DECRYPTION_OPTIONS = ['keys', 'keyManagementAlgorithms', 'contentEncryptionAlgorithms'] as const

export interface ResolvedDecryption {
  readonly keys: readonly KeyInput[]
  readonly kids: readonly (string | undefined)[]
  readonly options: {
    readonly keyManagementAlgorithms: readonly string[]
    readonly contentEncryptionAlgorithms: readonly string[]
    readonly maxTokenLength: number
  }
}

export function resolveDecryption(value: unknown): ResolvedDecryption | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'object' || value === null) throw new TypeError('"decryption" must be an object')
  assertKnownOptions(value, DECRYPTION_OPTIONS, 'createTokenVerifier "decryption"')
  const options = value as DecryptionOptions
  if (!Array.isArray(options.keys) || options.keys.length === 0 || options.keys.length > MAX_KEYS)
    throw new TypeError(`"decryption.keys" must hold 1 to ${MAX_KEYS} private keys`)
  for (const key of options.keys) {
    if (typeof key !== 'object' || key === null || (key as { type?: unknown }).type !== 'private')
      throw new TypeError('"decryption.keys" must be private keys (Key, KeyObject or CryptoKey)')
  }
  const keyManagementAlgorithms = assertStringList(
    options.keyManagementAlgorithms ?? DEFAULT_KEY_MANAGEMENT_ALGORITHMS,
    'decryption.keyManagementAlgorithms',
  )
  if (keyManagementAlgorithms.includes('RSA1_5'))
    throw new TypeError('"decryption.keyManagementAlgorithms" must not list RSA1_5')
  const contentEncryptionAlgorithms = assertStringList(
    options.contentEncryptionAlgorithms ?? DEFAULT_CONTENT_ENCRYPTION_ALGORITHMS,
    'decryption.contentEncryptionAlgorithms',
  )
  return {
    keys: Object.freeze([...options.keys]),
    kids: options.keys.map((key) => {
      const kid = (key as { kid?: unknown }).kid
      return typeof kid === 'string' ? kid : undefined
    }),
    options: { keyManagementAlgorithms, contentEncryptionAlgorithms, maxTokenLength: MAX_ENCRYPTED_LENGTH },
  }
}

export function resolveTokenForm(value: unknown, decryption: ResolvedDecryption | undefined): TokenForm {
  // Configuring a decryption key says the tokens are private: plain ones are refused unless asked for.
  const form = value ?? (decryption ? 'encrypted' : 'signed')
  if (form !== 'signed' && form !== 'encrypted' && form !== 'either')
    throw new TypeError('"tokenForm" must be "signed", "encrypted" or "either"')
  if (form !== 'signed' && !decryption) throw new TypeError(`"tokenForm" "${form}" needs "decryption" keys`)
  return form
}

/** Five compact parts (four dots) is a JWE; a JWS has three. Counts at most five dots. */
export function isCompactJWE(token: string): boolean {
  let dots = 0
  for (let index = token.indexOf('.'); index !== -1 && dots < 5; index = token.indexOf('.', index + 1)) dots++
  return dots === 4
}

const MALFORMED: ReadonlySet<ErrorCode> = new Set([
  'ERR_JWE_INVALID',
  'ERR_JOSE_INVALID_ENCODING',
  'ERR_JOSE_INVALID_JSON',
  'ERR_JOSE_INVALID_HEADER',
  'ERR_JOSE_CRIT_INVALID',
])
const NOT_ALLOWED: ReadonlySet<ErrorCode> = new Set([
  'ERR_JOSE_ALG_NOT_ALLOWED',
  'ERR_JOSE_NOT_SUPPORTED',
  'ERR_JWE_RSA1_5_REFUSED',
])

function reasonOf(error: unknown): RefusalReason {
  if (!isJOSEError(error)) return 'undecryptable'
  if (error.code === 'ERR_JOSE_TOKEN_TOO_LARGE') return 'token_too_large'
  if (MALFORMED.has(error.code)) return 'malformed_token'
  if (NOT_ALLOWED.has(error.code)) return 'alg_not_allowed'
  // A wrong key, a tampered tag or ciphertext, a key of another type: all one answer.
  return 'undecryptable'
}

export type Opened =
  | { readonly jws: string; readonly reason?: undefined }
  | { readonly reason: RefusalReason }

/**
 * Opens a nested JWT (RFC 7519 §5.2): decrypts under the allowlists with the key its `kid` names, or
 * tries each key when none matches, requires `cty: "JWT"` and returns the inner JWS to verify.
 */
export async function openNestedToken(token: string, decryption: ResolvedDecryption): Promise<Opened> {
  let kid: unknown
  try {
    kid = decodeProtectedHeader(token).kid
  } catch (error) {
    return { reason: reasonOf(error) }
  }
  const named = decryption.keys.filter((_key, index) => kid !== undefined && decryption.kids[index] === kid)
  const candidates = named.length > 0 ? named : decryption.keys
  let reason: RefusalReason = 'undecryptable'
  for (const key of candidates) {
    let opened: Awaited<ReturnType<typeof compactDecrypt>>
    try {
      opened = await compactDecrypt(token, key, decryption.options)
    } catch (error) {
      reason = reasonOf(error)
      // Only a failed decryption is worth another key; a malformed or refused token stays refused.
      if (reason !== 'undecryptable') return { reason }
      continue
    }
    const { cty } = opened.protectedHeader
    if (typeof cty !== 'string' || !/^(?:application\/)?jwt$/i.test(cty)) return { reason: 'malformed_token' }
    try {
      return { jws: UTF8.decode(opened.plaintext) }
    } catch {
      return { reason: 'malformed_token' }
    }
  }
  return { reason }
}

/** The verifier options of a gateway's settings: both its HTTP and its MQTT verifier use them. */
export function decryptionOf(settings: {
  readonly decryption?: DecryptionOptions | undefined
  readonly tokenForm?: TokenForm | undefined
}): { decryption?: DecryptionOptions; tokenForm?: TokenForm } {
  const options: { decryption?: DecryptionOptions; tokenForm?: TokenForm } = {}
  if (settings.decryption !== undefined) options.decryption = settings.decryption
  if (settings.tokenForm !== undefined) options.tokenForm = settings.tokenForm
  return options
}
