import { OAuthError } from '../lib/oauth-error.js'

/**
 * Key management algorithms a client or resource may register. ECDH-ES+A256KW and RSA-OAEP-256 are
 * the defaults of their key types; ECDH-ES (direct agreement) is accepted for clients that ask for it.
 * RSA1_5 (Bleichenbacher-prone) and RSA-OAEP (SHA-1) are refused; A256KW and the other symmetric
 * wraps are refused too: they would need a secret shared with the recipient, and a client secret is
 * stored hashed here, so the authority could not derive one.
 */
export const KEY_MANAGEMENT_ALGORITHMS = ['ECDH-ES+A256KW', 'ECDH-ES', 'RSA-OAEP-256'] as const
/** Content encryption: A256GCM by default; the CBC-HMAC pairs for relying parties that only do those. */
export const CONTENT_ENCRYPTION_ALGORITHMS = ['A256GCM', 'A128GCM', 'A256CBC-HS512', 'A128CBC-HS256'] as const
export const DEFAULT_CONTENT_ENCRYPTION = 'A256GCM'

export interface EncryptionChoice {
  readonly alg: string
  readonly enc: string
}

function invalid(message: string): never {
  throw new OAuthError('invalid_client_metadata', message)
}

/** The default key management algorithm for a key type: ECDH for EC and OKP keys, OAEP for RSA. */
export function defaultAlgorithmFor(kty: unknown): string | undefined {
  if (kty === 'EC' || kty === 'OKP') return 'ECDH-ES+A256KW'
  if (kty === 'RSA') return 'RSA-OAEP-256'
  return undefined
}

/**
 * Checks a registered `alg`/`enc` pair against the allowlists; `enc` defaults to A256GCM (where OIDC
 * Registration §2 would default to A128CBC-HS256, the response always states the value chosen).
 */
export function checkEncryptionChoice(
  alg: unknown,
  enc: unknown,
  names: { readonly alg: string; readonly enc: string },
): EncryptionChoice {
  if (typeof alg !== 'string') invalid(`"${names.alg}" must be a string`)
  if (alg === 'RSA1_5') invalid(`"${names.alg}" RSA1_5 is refused: use RSA-OAEP-256 or ECDH-ES+A256KW`)
  if (!(KEY_MANAGEMENT_ALGORITHMS as readonly string[]).includes(alg))
    invalid(`"${names.alg}" must be one of ${KEY_MANAGEMENT_ALGORITHMS.join(', ')}`)
  const chosen = enc ?? DEFAULT_CONTENT_ENCRYPTION
  if (typeof chosen !== 'string' || !(CONTENT_ENCRYPTION_ALGORITHMS as readonly string[]).includes(chosen))
    invalid(`"${names.enc}" must be one of ${CONTENT_ENCRYPTION_ALGORITHMS.join(', ')}`)
  return { alg, enc: chosen }
}
