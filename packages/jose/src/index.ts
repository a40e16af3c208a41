export type { ErrorCode } from './errors.js'
export { ERROR_CODES, isJOSEError, JOSEError, JWTClaimValidationError } from './errors.js'
export { SIGNING_ALGORITHMS } from './jwa/signing-algorithms.js'
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
} from './jws/types.js'
export type { CreateJWTSignerOptions, JWTSigner } from './jwt/create-signer.js'
export { createJWTSigner } from './jwt/create-signer.js'
export type { CreateJWTVerifierOptions, JWTVerifier } from './jwt/create-verifier.js'
export { createJWTVerifier } from './jwt/create-verifier.js'
export { decodeProtectedHeader, unsafeDecodeJWT } from './jwt/decode.js'
export type { SignJWTOptions } from './jwt/sign.js'
export { signJWT, signJWTSync } from './jwt/sign.js'
export { decodeUnsecuredJWT, encodeUnsecuredJWT } from './jwt/unsecured.js'
export type { VerifyJWTResult } from './jwt/verify.js'
export { verifyJWT, verifyJWTSync } from './jwt/verify.js'
export type { JOSEHeaderParameters } from './lib/header.js'
export type { KeyResolver } from './lib/jws-verify.js'
export type { JWTClaimsOptions, JWTPayload } from './lib/jwt-claims.js'
export type { VerifyJWTOptions } from './lib/jwt-verify.js'
export type { KeyBinding, KeyKind, KeyOperation, KeyTypeName } from './lib/key.js'
export { Key } from './lib/key.js'
export type { KeyInput } from './lib/key-input.js'
export type { JWSVerifyOptions } from './lib/verify-options.js'
