import { Buffer, isUtf8 } from 'node:buffer'
import { JOSEError } from '../errors.js'
import { compactDecrypt } from '../jwe/compact/decrypt.js'
import { compactEncrypt } from '../jwe/compact/encrypt.js'
import { JWE_DECRYPT_OPTIONS, JWE_ENCRYPT_OPTIONS } from '../jwe/internal/options.js'
import type {
  JWEDecryptOptions,
  JWEEncryptOptions,
  JWEHeaderParameters,
  JWEKeyResolver,
} from '../jwe/types.js'
import type { KeyResolver } from '../jws/types.js'
import type { JOSEHeaderParameters } from '../lib/header.js'
import type { Key } from '../lib/key.js'
import type { KeyInput } from '../lib/key-input.js'
import { assertKnownOptions, combineOptions } from '../lib/options.js'
import { DEFAULT_MAX_ENCRYPTED_JWT_LENGTH } from './encrypt.js'
import { normalizeTyp } from './internal/claims.js'
import { VERIFY_JWT_OPTIONS } from './internal/verify.js'
import { SIGN_JWT_OPTIONS, type SignJWTOptions, signJWT } from './sign.js'
import type { JWTPayload, VerifyJWTOptions } from './types.js'
import { verifyJWT } from './verify.js'

/** The inner layer of signThenEncryptJWT: the issuer's signing key and signJWT's options. */
export interface NestedSigningOptions extends SignJWTOptions {
  /** The signing key (the issuer's private key). */
  key: KeyInput
}

/** The outer layer of signThenEncryptJWT: the recipient's key, `alg` and `enc`. */
export interface NestedEncryptionOptions extends JWEEncryptOptions {
  /** The recipient's key (its public key for RSA-OAEP and ECDH-ES). */
  key: KeyInput
  alg: string
  enc: string
  kid?: string
  /** More protected header parameters of the outer JWE (not `alg`, `enc`, `kid` or `cty`). */
  header?: JWEHeaderParameters
}

/**
 * The outer layer of decryptThenVerifyJWT: the recipient's private key (or a resolver) and the decrypt
 * allowlists.
 */
export interface NestedDecryptionOptions extends JWEDecryptOptions {
  key: KeyInput | JWEKeyResolver<string>
}

/** The inner layer of decryptThenVerifyJWT: the issuer's key (or key set) and verifyJWT's options. */
export interface NestedVerificationOptions extends VerifyJWTOptions {
  key: KeyInput | KeyResolver<string>
}

const SIGNING_OPTIONS = combineOptions(SIGN_JWT_OPTIONS, 'key')
const ENCRYPTION_OPTIONS = combineOptions('key', 'alg', 'enc', 'kid', 'header', JWE_ENCRYPT_OPTIONS)
const DECRYPTION_OPTIONS = combineOptions('key', JWE_DECRYPT_OPTIONS)
const VERIFICATION_OPTIONS = combineOptions('key', VERIFY_JWT_OPTIONS)

/**
 * What decryptThenVerifyJWT returns: the claims, the inner JWS header, the outer JWE header and the
 * verifying key.
 */
export interface DecryptThenVerifyJWTResult {
  payload: JWTPayload
  /** The inner JWS's protected header. */
  protectedHeader: JOSEHeaderParameters
  /** The outer JWE's protected header. */
  encryptionHeader: JWEHeaderParameters
  /** The key that verified the signature. */
  key: Key
  /** The key that decrypted the JWE. */
  decryptionKey: Key
}

/**
 * Signs the claims into a JWT, then encrypts that JWS into a compact JWE with `cty: "JWT"` (RFC 7519
 * §5.2, nested JWT): the recipient learns who issued it and nobody else can read it.
 *
 * @example
 * import { signThenEncryptJWT } from '@tessera/jose'
 * const token = await signThenEncryptJWT({ patient: 'p-42' },
 *   { key: issuerPrivateKey, alg: 'ES256', issuer: 'https://issuer.example', audience: 'app', expiresIn: '5m' },
 *   { key: appPublicKey, alg: 'RSA-OAEP-256', enc: 'A128GCM' })
 */
export async function signThenEncryptJWT(
  claims: JWTPayload,
  signing: NestedSigningOptions,
  encryption: NestedEncryptionOptions,
): Promise<string> {
  if (typeof signing !== 'object' || signing === null) throw new TypeError('"signing" options are required')
  if (typeof encryption !== 'object' || encryption === null)
    throw new TypeError('"encryption" options are required')
  assertKnownOptions(signing, SIGNING_OPTIONS, 'signThenEncryptJWT', 'signing.')
  assertKnownOptions(encryption, ENCRYPTION_OPTIONS, 'signThenEncryptJWT', 'encryption.')
  if (typeof encryption.alg !== 'string') throw new TypeError('"encryption.alg" is required')
  if (typeof encryption.enc !== 'string') throw new TypeError('"encryption.enc" is required')
  if (encryption.kid !== undefined && typeof encryption.kid !== 'string')
    throw new TypeError('"encryption.kid" must be a string')
  const { key: signingKey, ...signOptions } = signing
  const jws = await signJWT(claims, signingKey, signOptions)
  const header: JWEHeaderParameters = {
    ...encryption.header,
    alg: encryption.alg,
    enc: encryption.enc,
    cty: 'JWT',
  }
  if (encryption.kid !== undefined) header.kid = encryption.kid
  const jweOptions: JWEEncryptOptions = {}
  if (encryption.p2c !== undefined) jweOptions.p2c = encryption.p2c
  if (encryption.crit !== undefined) jweOptions.crit = encryption.crit
  return compactEncrypt(jws, encryption.key, header, jweOptions)
}

/**
 * Decrypts a nested JWT under the decryption allowlists, requires `cty: "JWT"`, then verifies the inner
 * JWS under its own `algorithms` allowlist and validates its claims exactly as verifyJWT does.
 *
 * @example
 * import { decryptThenVerifyJWT } from '@tessera/jose'
 * const { payload } = await decryptThenVerifyJWT(token,
 *   { key: appPrivateKey, keyManagementAlgorithms: ['RSA-OAEP-256'], contentEncryptionAlgorithms: ['A128GCM'] },
 *   { key: issuerPublicKey, algorithms: ['ES256'], issuer: 'https://issuer.example', audience: 'app' })
 */
export async function decryptThenVerifyJWT(
  token: string,
  decryption: NestedDecryptionOptions,
  verification: NestedVerificationOptions,
): Promise<DecryptThenVerifyJWTResult> {
  if (typeof decryption !== 'object' || decryption === null)
    throw new TypeError('"decryption" options are required')
  if (typeof verification !== 'object' || verification === null)
    throw new TypeError('"verification" options are required')
  assertKnownOptions(decryption, DECRYPTION_OPTIONS, 'decryptThenVerifyJWT', 'decryption.')
  assertKnownOptions(verification, VERIFICATION_OPTIONS, 'decryptThenVerifyJWT', 'verification.')
  const { key: decryptionKeyInput, ...decryptOptions } = decryption
  const { key: verificationKey, ...verifyOptions } = verification
  const decrypted = await compactDecrypt(token, decryptionKeyInput, {
    ...decryptOptions,
    maxTokenLength: decryptOptions.maxTokenLength ?? DEFAULT_MAX_ENCRYPTED_JWT_LENGTH,
  })
  const { cty } = decrypted.protectedHeader
  if (typeof cty !== 'string' || normalizeTyp(cty) !== 'application/jwt') {
    throw new JOSEError('ERR_JWT_INVALID', 'a nested JWT must have "cty": "JWT" in its JWE header')
  }
  if (!isUtf8(decrypted.plaintext)) throw new JOSEError('ERR_JWT_INVALID', 'the nested JWT is not UTF-8 text')
  const inner = Buffer.from(decrypted.plaintext).toString('utf8')
  const verified = await verifyJWT(inner, verificationKey, verifyOptions)
  return {
    payload: verified.payload,
    protectedHeader: verified.protectedHeader,
    encryptionHeader: decrypted.protectedHeader,
    key: verified.key,
    decryptionKey: decrypted.key,
  }
}
