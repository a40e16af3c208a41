/**
 * The public API of the built package, name by name. A change to this list is an API change: it
 * must be deliberate and visible in review, so the expected names are written out here rather than
 * kept in a snapshot file that a test run can rewrite.
 */
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url))
const declarations = fileURLToPath(new URL('../dist/index.d.ts', import.meta.url))

const VALUES = [
  'CONTENT_ENCRYPTION_ALGORITHMS',
  'ERROR_CODES',
  'JOSEError',
  'JWTClaimValidationError',
  'KEY_MANAGEMENT_ALGORITHMS',
  'Key',
  'MAX_KEY_CANDIDATES',
  'SIGNING_ALGORITHMS',
  'calculateJwkThumbprint',
  'calculateJwkThumbprintSync',
  'calculateJwkThumbprintUri',
  'compactDecrypt',
  'compactEncrypt',
  'compactSign',
  'compactSignSync',
  'compactVerify',
  'compactVerifySync',
  'createJWTSigner',
  'createJWTVerifier',
  'createLocalJWKSet',
  'createRemoteJWKSet',
  'createSigningThreads',
  'decodeProtectedHeader',
  'decodeUnsecuredJWT',
  'decryptJWT',
  'decryptThenVerifyJWT',
  'encodeUnsecuredJWT',
  'encryptJWT',
  'exportJWK',
  'exportJWKSync',
  'flattenedDecrypt',
  'flattenedEncrypt',
  'flattenedSign',
  'flattenedVerify',
  'generalDecrypt',
  'generalEncrypt',
  'generalSign',
  'generalVerify',
  'generateKeyPair',
  'generateSecret',
  'importJWK',
  'importJWKSync',
  'importKeyObject',
  'importPEM',
  'importSecret',
  'isJOSEError',
  'signJWT',
  'signJWTSync',
  'signThenEncryptJWT',
  'unsafeDecodeJWT',
  'verifyJWT',
  'verifyJWTSync',
]

const TYPES = [
  'CompactDecryptResult',
  'CompactSignOptions',
  'CompactVerifyResult',
  'ContentEncryptionAlgorithm',
  'CreateJWTSignerOptions',
  'CreateJWTVerifierOptions',
  'DecryptJWTOptions',
  'DecryptJWTResult',
  'DecryptThenVerifyJWTResult',
  'EncryptJWTOptions',
  'ErrorCode',
  'ExportJWKOptions',
  'FlattenedDecryptResult',
  'FlattenedEncryptHeaders',
  'FlattenedJWE',
  'FlattenedJWS',
  'FlattenedVerifyResult',
  'GeneralDecryptOptions',
  'GeneralDecryptResult',
  'GeneralEncryptRecipient',
  'GeneralJWE',
  'GeneralJWS',
  'GeneralSigner',
  'GeneralVerifyOptions',
  'GeneralVerifyResult',
  'GenerateKeyPairOptions',
  'GeneratedKeyPair',
  'ImportPEMOptions',
  'JOSEHeaderParameters',
  'JWEDecryptOptions',
  'JWEEncryptHeaders',
  'JWEEncryptOptions',
  'JWEHeaderParameters',
  'JWEKeyResolver',
  'JWK',
  'JWKSCacheExport',
  'JWKSEvent',
  'JWKSFetchReason',
  'JWKSResolver',
  'JWKSStats',
  'JWSHeaderParameters',
  'JWSVerifyOptions',
  'JWTClaimsOptions',
  'JWTPayload',
  'JWTSigner',
  'JWTVerifier',
  'KeyBinding',
  'KeyInput',
  'KeyKind',
  'KeyManagementAlgorithm',
  'KeyOperation',
  'KeyResolution',
  'KeyResolver',
  'KeyTypeName',
  'LocalJWKSet',
  'LocalJWKSetOptions',
  'NestedDecryptionOptions',
  'NestedEncryptionOptions',
  'NestedSigningOptions',
  'NestedVerificationOptions',
  'RemoteJWKSet',
  'RemoteJWKSetOptions',
  'SignJWTOptions',
  'SigningThreads',
  'SigningThreadsOptions',
  'ThumbprintDigest',
  'TokenCacheOptions',
  'VerifyJWTOptions',
  'VerifyJWTResult',
]

describe('the exports of @tessera/jose (dist/index.js and dist/index.d.ts)', () => {
  it('is built (npm test builds before it tests)', () => {
    expect(existsSync(dist)).toBe(true)
    expect(existsSync(declarations)).toBe(true)
  })

  it('exports exactly these values at run time', async () => {
    const module = (await import(dist)) as Record<string, unknown>
    expect(Object.keys(module).sort()).toEqual(VALUES)
  })

  it('declares exactly these values and types', () => {
    const program = ts.createProgram([declarations], { noEmit: true, noLib: true, types: [] })
    const checker = program.getTypeChecker()
    const source = program.getSourceFile(declarations)
    const symbol = source && checker.getSymbolAtLocation(source)
    expect(symbol).toBeDefined()
    const names = checker.getExportsOfModule(symbol as ts.Symbol).map((entry) => entry.name)
    expect(names.sort()).toEqual([...VALUES, ...TYPES].sort())
  })
})

describe('the second entry point, @tessera/jose/options', () => {
  it('exports exactly the option-name checks the other Tessera packages share', async () => {
    const module = (await import('@tessera/jose/options')) as Record<string, unknown>
    expect(Object.keys(module).sort()).toEqual([
      'assertKnownOptions',
      'closestOption',
      'combineOptions',
      'declareOptions',
      'omitOptions',
      'optionNames',
    ])
  })

  it('refuses an unknown name with the hint the JOSE functions give', async () => {
    const { assertKnownOptions, optionNames } = await import('@tessera/jose/options')
    expect(() => assertKnownOptions({ timeout: 5 }, optionNames(['timeoutMs']), 'fetchThing')).toThrow(
      new TypeError('"timeout" is not an option of fetchThing; did you mean "timeoutMs"?'),
    )
  })
})
