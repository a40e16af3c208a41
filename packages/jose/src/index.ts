/**
 * JOSE for Node.js: JWA, JWK, JWS, JWE, JWT and JWK sets, with explicit allowlists and stable error
 * codes.
 *
 * @packageDocumentation
 * @module @tessera/jose
 */
export type { ErrorCode } from './errors.js'
export { ERROR_CODES, isJOSEError, JOSEError, JWTClaimValidationError } from './errors.js'
export type { ContentEncryptionAlgorithm } from './jwa/content-encryption-algorithms.js'
export { CONTENT_ENCRYPTION_ALGORITHMS } from './jwa/content-encryption-algorithms.js'
export type { KeyManagementAlgorithm } from './jwa/key-management-algorithms.js'
export { KEY_MANAGEMENT_ALGORITHMS } from './jwa/key-management-algorithms.js'
export { SIGNING_ALGORITHMS } from './jwa/signing-algorithms.js'
export { compactDecrypt } from './jwe/compact/decrypt.js'
export { compactEncrypt } from './jwe/compact/encrypt.js'
export { flattenedDecrypt } from './jwe/flattened/decrypt.js'
export type { FlattenedEncryptHeaders } from './jwe/flattened/encrypt.js'
export { flattenedEncrypt } from './jwe/flattened/encrypt.js'
export type { GeneralDecryptOptions } from './jwe/general/decrypt.js'
export { generalDecrypt } from './jwe/general/decrypt.js'
export { generalEncrypt } from './jwe/general/encrypt.js'
export type {
  CompactDecryptResult,
  FlattenedDecryptResult,
  FlattenedJWE,
  GeneralDecryptResult,
  GeneralEncryptRecipient,
  GeneralJWE,
  JWEDecryptOptions,
  JWEEncryptHeaders,
  JWEEncryptOptions,
  JWEHeaderParameters,
  JWEKeyResolver,
} from './jwe/types.js'
export type { ExportJWKOptions } from './jwk/export-jwk.js'
export { exportJWK, exportJWKSync } from './jwk/export-jwk.js'
export type { GeneratedKeyPair, GenerateKeyPairOptions } from './jwk/generate.js'
export { generateKeyPair, generateSecret } from './jwk/generate.js'
export { importJWK, importJWKSync } from './jwk/import-jwk.js'
export { importKeyObject, importSecret } from './jwk/import-key.js'
export type { ImportPEMOptions } from './jwk/import-pem.js'
export { importPEM } from './jwk/import-pem.js'
export type { ThumbprintDigest } from './jwk/thumbprint.js'
export {
  calculateJwkThumbprint,
  calculateJwkThumbprintSync,
  calculateJwkThumbprintUri,
} from './jwk/thumbprint.js'
export type { JWK } from './jwk/types.js'
export type { JWKSResolver, LocalJWKSet, LocalJWKSetOptions } from './jwks/local.js'
export { createLocalJWKSet } from './jwks/local.js'
export type { RemoteJWKSet, RemoteJWKSetOptions } from './jwks/remote.js'
export { createRemoteJWKSet } from './jwks/remote.js'
export type { JWKSCacheExport, JWKSEvent, JWKSFetchReason, JWKSStats } from './jwks/types.js'
export type { CompactSignOptions } from './jws/compact/sign.js'
export { compactSign, compactSignSync } from './jws/compact/sign.js'
export { compactVerify, compactVerifySync } from './jws/compact/verify.js'
export { flattenedSign } from './jws/flattened/sign.js'
export { flattenedVerify } from './jws/flattened/verify.js'
export type { GeneralSigner } from './jws/general/sign.js'
export { generalSign } from './jws/general/sign.js'
export type { GeneralVerifyOptions } from './jws/general/verify.js'
export { generalVerify } from './jws/general/verify.js'
export type {
  CompactVerifyResult,
  FlattenedJWS,
  FlattenedVerifyResult,
  GeneralJWS,
  GeneralVerifyResult,
  JWSHeaderParameters,
  JWSVerifyOptions,
  KeyResolution,
  KeyResolver,
} from './jws/types.js'
export type { CreateJWTSignerOptions, JWTSigner } from './jwt/create-signer.js'
export { createJWTSigner } from './jwt/create-signer.js'
export type { CreateJWTVerifierOptions } from './jwt/create-verifier.js'
export { createJWTVerifier } from './jwt/create-verifier.js'
export { decodeProtectedHeader, unsafeDecodeJWT } from './jwt/decode.js'
export type { DecryptJWTOptions, DecryptJWTResult, EncryptJWTOptions } from './jwt/encrypt.js'
export { decryptJWT, encryptJWT } from './jwt/encrypt.js'
export type {
  DecryptThenVerifyJWTResult,
  NestedDecryptionOptions,
  NestedEncryptionOptions,
  NestedSigningOptions,
  NestedVerificationOptions,
} from './jwt/nested.js'
export { decryptThenVerifyJWT, signThenEncryptJWT } from './jwt/nested.js'
export type { SignJWTOptions } from './jwt/sign.js'
export { signJWT, signJWTSync } from './jwt/sign.js'
export type {
  JWTClaimsOptions,
  JWTPayload,
  JWTVerifier,
  TokenCacheOptions,
  VerifyJWTOptions,
  VerifyJWTResult,
} from './jwt/types.js'
export { decodeUnsecuredJWT, encodeUnsecuredJWT } from './jwt/unsecured.js'
export { verifyJWT, verifyJWTSync } from './jwt/verify.js'
export type { SigningThreads, SigningThreadsOptions } from './lib/backend/signing-threads.js'
export { createSigningThreads } from './lib/backend/signing-threads.js'
export type { JOSEHeaderParameters } from './lib/header.js'
export type { KeyBinding, KeyKind, KeyOperation, KeyTypeName } from './lib/key.js'
export { Key } from './lib/key.js'
export { MAX_KEY_CANDIDATES } from './lib/key-candidates.js'
export type { KeyInput } from './lib/key-input.js'
