import { JOSEError } from '../errors.js'
import { decryptCompact } from '../jwe/compact/decrypt.js'
import { compactEncrypt } from '../jwe/compact/encrypt.js'
import { JWE_DECRYPT_OPTIONS, JWE_ENCRYPT_OPTIONS, resolveJWEOptions } from '../jwe/internal/options.js'
import type {
  JWEDecryptOptions,
  JWEEncryptOptions,
  JWEHeaderParameters,
  JWEKeyResolver,
} from '../jwe/types.js'
import { parseJSONObject } from '../lib/json.js'
import type { Key } from '../lib/key.js'
import type { KeyInput } from '../lib/key-input.js'
import { assertKnownOptions, combineOptions } from '../lib/options.js'
import { JWT_CLAIMS_OPTIONS, normalizeTyp, resolveClaimsOptions, validateClaims } from './internal/claims.js'
import { DEFAULT_MAX_JWT_LENGTH } from './internal/verify.js'
import { resolveSignOptions, SIGN_JWT_OPTIONS, type SignJWTOptions } from './sign.js'
import type { JWTClaimsOptions, JWTPayload } from './types.js'

/** Options of encryptJWT: the registered claims signJWT sets, plus the JWE `alg` and `enc`. */
export interface EncryptJWTOptions extends Omit<SignJWTOptions, 'header'>, JWEEncryptOptions {
  /** The key management algorithm (`alg`). Required. */
  alg: string
  /** The content encryption algorithm (`enc`). Required. */
  enc: string
  /** More protected header parameters (not `alg`, `enc`, `kid` or `typ`, which have their own options). */
  header?: JWEHeaderParameters
}

/** Options of decryptJWT: the decrypt allowlists and limits plus the same claim checks as verifyJWT. */
export interface DecryptJWTOptions extends JWTClaimsOptions, JWEDecryptOptions {}

/** What decryptJWT returns: the validated claims and the JWE protected header. */
export interface DecryptJWTResult {
  payload: JWTPayload
  protectedHeader: JWEHeaderParameters
  key: Key
}

/** Encrypted JWTs are larger than signed ones; twice the signed default still refuses abuse. */
export const DEFAULT_MAX_ENCRYPTED_JWT_LENGTH = 2 * DEFAULT_MAX_JWT_LENGTH

const ENCRYPT_JWT_OPTIONS = combineOptions(SIGN_JWT_OPTIONS, 'enc', JWE_ENCRYPT_OPTIONS)
const DECRYPT_JWT_OPTIONS = combineOptions(JWT_CLAIMS_OPTIONS, JWE_DECRYPT_OPTIONS)

/** The protected header and claims builder for an encrypted JWT, shared with signThenEncryptJWT. */
export function resolveEncryptJWTOptions(options: EncryptJWTOptions) {
  if (typeof options !== 'object' || options === null)
    throw new TypeError('"options" with "alg" and "enc" is required')
  if (typeof options.enc !== 'string') throw new TypeError('"enc" is required')
  const { header, build } = resolveSignOptions(options as SignJWTOptions)
  return { header: { ...header, enc: options.enc } as JWEHeaderParameters, build }
}

/**
 * Issues an encrypted JWT (RFC 7519 §5): the claims set is the plaintext of a compact JWE.
 *
 * @example
 * import { encryptJWT, generateKeyPair } from '@tessera/jose'
 * const { publicKey } = await generateKeyPair('RSA-OAEP-256')
 * const token = await encryptJWT({ patient: 'p-42' }, publicKey, {
 *   alg: 'RSA-OAEP-256', enc: 'A256GCM', issuer: 'https://issuer.example', audience: 'app', expiresIn: '15m',
 * })
 */
export async function encryptJWT(
  claims: JWTPayload,
  key: KeyInput,
  options: EncryptJWTOptions,
): Promise<string> {
  assertKnownOptions(options, ENCRYPT_JWT_OPTIONS, 'encryptJWT')
  const { header, build } = resolveEncryptJWTOptions(options)
  const jweOptions: JWEEncryptOptions = {}
  if (options.p2c !== undefined) jweOptions.p2c = options.p2c
  if (options.crit !== undefined) jweOptions.crit = options.crit
  return compactEncrypt(JSON.stringify(build(claims)), key, header, jweOptions)
}

/**
 * Decrypts an encrypted JWT under explicit `alg` and `enc` allowlists, then validates its claims
 * exactly as verifyJWT does (iss, aud, sub, exp, nbf, iat, typ, maxTokenAge, requiredClaims). A nested
 * JWT (`cty: "JWT"`) is refused here: its inner signature must be verified with decryptThenVerifyJWT.
 *
 * @example
 * import { decryptJWT } from '@tessera/jose'
 * const { payload } = await decryptJWT(token, privateKey, {
 *   keyManagementAlgorithms: ['RSA-OAEP-256'], contentEncryptionAlgorithms: ['A256GCM'],
 *   issuer: 'https://issuer.example', audience: 'app',
 * })
 */
export async function decryptJWT(
  token: string,
  keyOrResolver: KeyInput | JWEKeyResolver<string>,
  options: DecryptJWTOptions,
): Promise<DecryptJWTResult> {
  if (typeof options !== 'object' || options === null) throw new TypeError('"options" is required')
  assertKnownOptions(options, DECRYPT_JWT_OPTIONS, 'decryptJWT')
  const claimsOptions = resolveClaimsOptions(options)
  const jweOptions = resolveJWEOptions({
    ...options,
    maxTokenLength: options.maxTokenLength ?? DEFAULT_MAX_ENCRYPTED_JWT_LENGTH,
  })
  const { plaintext, protectedHeader, key } = await decryptCompact(token, keyOrResolver, jweOptions)
  if (typeof protectedHeader.cty === 'string' && normalizeTyp(protectedHeader.cty) === 'application/jwt') {
    throw new JOSEError(
      'ERR_JWT_INVALID',
      'this is a nested JWT; use decryptThenVerifyJWT to verify its signature',
    )
  }
  const payload = parseJSONObject(plaintext, 'the JWT claims set', 'ERR_JWT_INVALID') as JWTPayload
  validateClaims(payload, protectedHeader, claimsOptions)
  return { payload, protectedHeader, key }
}
