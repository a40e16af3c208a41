/**
 * Unknown option names are programmer mistakes: every public function and factory that takes an
 * options object refuses one with a TypeError naming it and, when a declared name is close, the name
 * it probably meant. One row per public entry point (and per nested options object); a last test
 * keeps the table complete, so a new exported function must say whether it takes options.
 */
import { Buffer } from 'node:buffer'
import { generateKeyPairSync } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import * as jose from '../../src/index.js'
import {
  compactDecrypt,
  compactEncrypt,
  compactSign,
  compactSignSync,
  compactVerify,
  compactVerifySync,
  createJWTSigner,
  createJWTVerifier,
  createLocalJWKSet,
  createRemoteJWKSet,
  createSigningThreads,
  decodeUnsecuredJWT,
  decryptJWT,
  decryptThenVerifyJWT,
  encodeUnsecuredJWT,
  encryptJWT,
  exportJWK,
  exportJWKSync,
  flattenedDecrypt,
  flattenedEncrypt,
  flattenedSign,
  flattenedVerify,
  generalDecrypt,
  generalEncrypt,
  generalSign,
  generalVerify,
  generateKeyPair,
  generateSecret,
  importKeyObject,
  importPEM,
  importSecret,
  signJWT,
  signJWTSync,
  signThenEncryptJWT,
  verifyJWT,
  verifyJWTSync,
} from '../../src/index.js'
import { secretFor } from '../helpers/unit-keys.js'

const hmac = secretFor('HS256')
const cek = importSecret(Buffer.alloc(16, 7), 'dir')
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const pem = ec.publicKey.export({ type: 'spki', format: 'pem' }) as string
const algorithms = ['HS256']
const jweAllow = { keyManagementAlgorithms: ['dir'], contentEncryptionAlgorithms: ['A128GCM'] }
const jweHeader = { alg: 'dir', enc: 'A128GCM' }
const url = 'https://issuer.example/.well-known/jwks.json'

const jws = compactSignSync('hello', hmac, { alg: 'HS256' })
const jwt = signJWTSync({}, hmac, { alg: 'HS256', expiresIn: 60 })
const flatJWS = await flattenedSign('hello', hmac, { alg: 'HS256' })
const generalJWS = await generalSign('hello', [{ key: hmac, protectedHeader: { alg: 'HS256' } }])
const jwe = await compactEncrypt('hello', cek, jweHeader)
const flatJWE = await flattenedEncrypt('hello', cek, { protectedHeader: jweHeader })
const generalJWE = await generalEncrypt('hello', [{ key: cek }], { protectedHeader: jweHeader })
const unsecured = encodeUnsecuredJWT({}, { expiresIn: 60 })

interface Row {
  readonly fn: string
  readonly call: () => unknown
  readonly message: string
}

// biome-ignore format: one row per line reads as a table
const ROWS: readonly Row[] = [
  { fn: 'compactSign', call: () => compactSign('x', hmac, { alg: 'HS256' }, { detach: true } as never), message: '"detach" is not an option of compactSign; did you mean "detached"?' },
  { fn: 'compactSignSync', call: () => compactSignSync('x', hmac, { alg: 'HS256' }, { crits: [] } as never), message: '"crits" is not an option of compactSignSync; did you mean "crit"?' },
  { fn: 'flattenedSign', call: () => flattenedSign('x', hmac, { alg: 'HS256' }, undefined, { detached: true } as never), message: '"detached" is not an option of flattenedSign' },
  { fn: 'generalSign', call: () => generalSign('x', [{ key: hmac, protectedHeader: { alg: 'HS256' } }], { Crit: [] } as never), message: '"Crit" is not an option of generalSign; did you mean "crit"?' },
  { fn: 'generalSign', call: () => generalSign('x', [{ key: hmac, protectedHeader: { alg: 'HS256' } }, { key: hmac, header: { alg: 'HS256' } } as never]), message: '"signers[1].header" is not an option of generalSign' },
  { fn: 'compactVerify', call: () => compactVerify(jws, hmac, { algorithms, algorithm: 'HS256' } as never), message: '"algorithm" is not an option of compactVerify; did you mean "algorithms"?' },
  { fn: 'compactVerifySync', call: () => compactVerifySync(jws, hmac, { algorithms, maxTokenLen: 100 } as never), message: '"maxTokenLen" is not an option of compactVerifySync; did you mean "maxTokenLength"?' },
  { fn: 'flattenedVerify', call: () => flattenedVerify(flatJWS, hmac, { algorithms, detachedpayload: 'x' } as never), message: '"detachedpayload" is not an option of flattenedVerify; did you mean "detachedPayload"?' },
  { fn: 'generalVerify', call: () => generalVerify(generalJWS, hmac, { algorithms, maxSignature: 2 } as never), message: '"maxSignature" is not an option of generalVerify; did you mean "maxSignatures"?' },
  { fn: 'compactEncrypt', call: () => compactEncrypt('x', cek, jweHeader, { P2C: 1000 } as never), message: '"P2C" is not an option of compactEncrypt; did you mean "p2c"?' },
  { fn: 'flattenedEncrypt', call: () => flattenedEncrypt('x', cek, { protectedHeader: jweHeader }, { crits: [] } as never), message: '"crits" is not an option of flattenedEncrypt; did you mean "crit"?' },
  { fn: 'flattenedEncrypt', call: () => flattenedEncrypt('x', cek, { protectedHeaders: jweHeader } as never), message: '"headers.protectedHeaders" is not an option of flattenedEncrypt; did you mean "headers.protectedHeader"?' },
  { fn: 'generalEncrypt', call: () => generalEncrypt('x', [{ key: cek }], { protectedHeader: jweHeader }, { p2C: 1000 } as never), message: '"p2C" is not an option of generalEncrypt; did you mean "p2c"?' },
  { fn: 'generalEncrypt', call: () => generalEncrypt('x', [{ key: cek }], { protectedHeader: jweHeader, aad: 'x' } as never), message: '"headers.aad" is not an option of generalEncrypt' },
  { fn: 'generalEncrypt', call: () => generalEncrypt('x', [{ key: cek, header: {} } as never], { protectedHeader: jweHeader }), message: '"recipients[0].header" is not an option of generalEncrypt' },
  { fn: 'compactDecrypt', call: () => compactDecrypt(jwe, cek, { ...jweAllow, maxTokenLenght: 5 } as never), message: '"maxTokenLenght" is not an option of compactDecrypt; did you mean "maxTokenLength"?' },
  { fn: 'flattenedDecrypt', call: () => flattenedDecrypt(flatJWE, cek, { ...jweAllow, maxDecompressedBytes: 1 } as never), message: '"maxDecompressedBytes" is not an option of flattenedDecrypt' },
  { fn: 'generalDecrypt', call: () => generalDecrypt(generalJWE, cek, { ...jweAllow, maxRecipient: 2 } as never), message: '"maxRecipient" is not an option of generalDecrypt; did you mean "maxRecipients"?' },
  { fn: 'exportJWK', call: () => exportJWK(hmac, { public: true } as never), message: '"public" is not an option of exportJWK; did you mean "publicOnly"?' },
  { fn: 'exportJWKSync', call: () => exportJWKSync(hmac, { publiconly: true } as never), message: '"publiconly" is not an option of exportJWKSync; did you mean "publicOnly"?' },
  { fn: 'generateKeyPair', call: () => generateKeyPair('ES256', { curve: 'P-256' } as never), message: '"curve" is not an option of generateKeyPair; did you mean "crv"?' },
  { fn: 'generateSecret', call: () => generateSecret('HS256', { keyId: 'k1' } as never), message: '"keyId" is not an option of generateSecret; did you mean "kid"?' },
  { fn: 'importPEM', call: () => importPEM(pem, 'ES256', { usage: 'sig' } as never), message: '"usage" is not an option of importPEM; did you mean "use"?' },
  { fn: 'importSecret', call: () => importSecret(Buffer.alloc(32, 1), 'HS256', { key_ops: ['sign'] } as never), message: '"key_ops" is not an option of importSecret; did you mean "keyOps"?' },
  { fn: 'importKeyObject', call: () => importKeyObject(ec.publicKey, 'ES256', { alg: 'ES256' } as never), message: '"alg" is not an option of importKeyObject' },
  { fn: 'createLocalJWKSet', call: () => createLocalJWKSet({ keys: [] }, { maxCandidate: 2 } as never), message: '"maxCandidate" is not an option of createLocalJWKSet; did you mean "maxCandidates"?' },
  { fn: 'createRemoteJWKSet', call: () => createRemoteJWKSet(url, { timeout: 500 } as never), message: '"timeout" is not an option of createRemoteJWKSet; did you mean "timeoutMs"?' },
  { fn: 'createRemoteJWKSet', call: () => createRemoteJWKSet(url, { cooldown: 200 } as never), message: '"cooldown" is not an option of createRemoteJWKSet; did you mean "cooldownMs"?' },
  { fn: 'createJWTSigner', call: () => createJWTSigner({ key: hmac, alg: 'HS256', expiresin: '5m' } as never), message: '"expiresin" is not an option of createJWTSigner; did you mean "expiresIn"?' },
  { fn: 'createSigningThreads', call: () => createSigningThreads({ thread: 2 } as never), message: '"thread" is not an option of createSigningThreads; did you mean "threads"?' },
  { fn: 'createSigningThreads', call: () => createSigningThreads({ maxBatches: 2 } as never), message: '"maxBatches" is not an option of createSigningThreads; did you mean "maxBatch"?' },
  { fn: 'createJWTVerifier', call: () => createJWTVerifier({ key: hmac, algorithms, audiences: ['api'] } as never), message: '"audiences" is not an option of createJWTVerifier; did you mean "audience"?' },
  { fn: 'createJWTVerifier', call: () => createJWTVerifier({ key: hmac, algorithms, tokenCache: { negativeTtl: 5 } } as never), message: '"tokenCache.negativeTtl" is not an option of createJWTVerifier; did you mean "tokenCache.negativeTtlMs"?' },
  { fn: 'createJWTVerifier', call: () => createJWTVerifier({ key: hmac, algorithms, tokenCache: { maxEntry: 5 } } as never), message: '"tokenCache.maxEntry" is not an option of createJWTVerifier; did you mean "tokenCache.maxEntries"?' },
  { fn: 'signJWT', call: () => signJWT({}, hmac, { alg: 'HS256', subjct: 'u1' } as never), message: '"subjct" is not an option of signJWT; did you mean "subject"?' },
  { fn: 'signJWTSync', call: () => signJWTSync({}, hmac, { alg: 'HS256', audiance: 'api' } as never), message: '"audiance" is not an option of signJWTSync; did you mean "audience"?' },
  { fn: 'verifyJWT', call: () => verifyJWT(jwt, hmac, { algorithms, clockTolerence: 5 } as never), message: '"clockTolerence" is not an option of verifyJWT; did you mean "clockTolerance"?' },
  { fn: 'verifyJWTSync', call: () => verifyJWTSync(jwt, hmac, { algorithms, issuers: ['a'] } as never), message: '"issuers" is not an option of verifyJWTSync; did you mean "issuer"?' },
  { fn: 'encryptJWT', call: () => encryptJWT({}, cek, { ...jweHeader, zip: 'DEF' } as never), message: '"zip" is not an option of encryptJWT' },
  { fn: 'decryptJWT', call: () => decryptJWT(jwe, cek, { ...jweAllow, requiredClaim: ['sub'] } as never), message: '"requiredClaim" is not an option of decryptJWT; did you mean "requiredClaims"?' },
  { fn: 'signThenEncryptJWT', call: () => signThenEncryptJWT({}, { key: hmac, alg: 'HS256', expiresin: 60 } as never, { key: cek, ...jweHeader }), message: '"signing.expiresin" is not an option of signThenEncryptJWT; did you mean "signing.expiresIn"?' },
  { fn: 'signThenEncryptJWT', call: () => signThenEncryptJWT({}, { key: hmac, alg: 'HS256' }, { key: cek, ...jweHeader, headers: {} } as never), message: '"encryption.headers" is not an option of signThenEncryptJWT; did you mean "encryption.header"?' },
  { fn: 'decryptThenVerifyJWT', call: () => decryptThenVerifyJWT(jwe, { key: cek, ...jweAllow, maxRecipients: 2 } as never, { key: hmac, algorithms }), message: '"decryption.maxRecipients" is not an option of decryptThenVerifyJWT' },
  { fn: 'decryptThenVerifyJWT', call: () => decryptThenVerifyJWT(jwe, { key: cek, ...jweAllow }, { key: hmac, algorithms, tokenCache: true } as never), message: '"verification.tokenCache" is not an option of decryptThenVerifyJWT' },
  { fn: 'encodeUnsecuredJWT', call: () => encodeUnsecuredJWT({}, { subjects: 'u1' } as never), message: '"subjects" is not an option of encodeUnsecuredJWT; did you mean "subject"?' },
  { fn: 'decodeUnsecuredJWT', call: () => decodeUnsecuredJWT(unsecured, { currentdate: new Date() } as never), message: '"currentdate" is not an option of decodeUnsecuredJWT; did you mean "currentDate"?' },
]

/** Exported functions that take no options object (their parameters are data, a name or a key). */
const NO_OPTIONS = [
  'JOSEError',
  'JWTClaimValidationError',
  'Key',
  'calculateJwkThumbprint',
  'calculateJwkThumbprintSync',
  'calculateJwkThumbprintUri',
  'decodeProtectedHeader',
  'importJWK',
  'importJWKSync',
  'isJOSEError',
  'unsafeDecodeJWT',
]

async function failure(call: () => unknown): Promise<unknown> {
  try {
    await call()
  } catch (error) {
    return error
  }
  return undefined
}

describe('unknown option names', () => {
  it.each(ROWS)('$fn: $message', async ({ call, message }) => {
    const error = await failure(call)
    expect(error).toBeInstanceOf(TypeError)
    expect((error as TypeError).message).toBe(message)
  })

  it('are checked by every exported function that takes options (the table is complete)', () => {
    const functions = Object.entries(jose)
      .filter(([, value]) => typeof value === 'function')
      .map(([name]) => name)
      .sort()
    const covered = new Set([...ROWS.map((row) => row.fn), ...NO_OPTIONS])
    expect(functions.filter((name) => !covered.has(name))).toEqual([])
    expect([...covered].filter((name) => !functions.includes(name))).toEqual([])
  })

  it('leave the declared names working: each row without its stray option succeeds', async () => {
    const verify = createJWTVerifier({
      key: hmac,
      algorithms,
      tokenCache: { maxEntries: 5, negativeTtlMs: 5 },
    })
    expect(verify.sync(jwt).payload.exp).toBeTypeOf('number')
    const remote = createRemoteJWKSet(url, { timeoutMs: 500, cooldownMs: 200 })
    expect(remote.url).toBe(url)
    const decrypted = await decryptThenVerifyJWT(
      await signThenEncryptJWT(
        {},
        { key: hmac, alg: 'HS256', expiresIn: 60 },
        { key: cek, ...jweHeader, header: {} },
      ),
      { key: cek, ...jweAllow },
      { key: hmac, algorithms },
    )
    expect(decrypted.payload.exp).toBeTypeOf('number')
  })
})
