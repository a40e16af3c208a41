import { beforeAll, describe, expect, it } from 'vitest'
import {
  compactVerify,
  createJWTVerifier,
  createLocalJWKSet,
  exportJWK,
  generateSecret,
  type JWK,
  type KeyInput,
  MAX_KEY_CANDIDATES,
  signJWT,
  verifyJWT,
  verifyJWTSync,
} from '../../src/index.js'
import { codeOf, ISSUER, makeKey, type TestKey } from './support.js'

const options = { algorithms: ['ES256', 'RS256', 'Ed25519', 'HS256'], issuer: ISSUER }
const withoutKid = ({ kid: _kid, ...jwk }: JWK): JWK => jwk

let a: TestKey
let b: TestKey
let c: TestKey
let d: TestKey
let rsa: TestKey
let p384: TestKey

beforeAll(async () => {
  ;[a, b, c, d, rsa, p384] = await Promise.all([
    makeKey('ES256', 'a'),
    makeKey('ES256', 'b'),
    makeKey('ES256', 'c'),
    makeKey('ES256', 'd'),
    makeKey('RS256', 'r'),
    makeKey('ES384', 'p384'),
  ])
})

describe('createLocalJWKSet: selection', () => {
  it('picks the key named by kid, and imports each key once', async () => {
    const jwks = createLocalJWKSet({ keys: [a.jwk, b.jwk, rsa.jwk] })
    const token = await b.sign({ n: 1 })
    const first = await verifyJWT(token, jwks, options)
    expect(first.key.kid).toBe('b')
    expect((await verifyJWT(token, jwks, options)).key).toBe(first.key)
    expect(verifyJWTSync(await rsa.sign(), jwks, options).key.kid).toBe('r')
  })

  it('answers synchronously, so createJWTVerifier(...).sync works with a local set', async () => {
    const verify = createJWTVerifier({ key: createLocalJWKSet({ keys: [a.jwk, b.jwk] }), ...options })
    expect(verify.sync(await a.sign()).payload.iss).toBe(ISSUER)
  })

  it('a kid that names no key is ERR_JWKS_NO_MATCHING_KEY', async () => {
    const jwks = createLocalJWKSet({ keys: [a.jwk] })
    expect(await codeOf(async () => verifyJWT(await b.sign(), jwks, options))).toBe(
      'ERR_JWKS_NO_MATCHING_KEY',
    )
  })

  it('skips keys whose alg, kty or curve do not fit the token alg', async () => {
    const wrongAlg = { ...withoutKid(rsa.jwk), kid: 'a' }
    const { alg: _alg, ...unbound } = withoutKid(p384.jwk)
    const wrongCurve = { ...unbound, kid: 'a' }
    const jwks = createLocalJWKSet({ keys: [wrongAlg, wrongCurve, a.jwk] })
    expect((await verifyJWT(await a.sign(), jwks, options)).key.kty).toBe('EC')
    const only = createLocalJWKSet({ keys: [wrongAlg, wrongCurve] })
    expect(await codeOf(async () => verifyJWT(await a.sign(), only, options))).toBe(
      'ERR_JWKS_NO_MATCHING_KEY',
    )
  })

  it('never tries a key whose use or key_ops forbid verification', async () => {
    const encKey = { ...a.jwk, use: 'enc' }
    const signOnly = { ...a.jwk, key_ops: ['sign'] }
    // Same kid three times: only the sig key is a candidate, so this is no ambiguity.
    const jwks = createLocalJWKSet({
      keys: [encKey, signOnly, { ...a.jwk, use: 'sig', key_ops: ['verify'] }],
    })
    expect((await verifyJWT(await a.sign(), jwks, options)).key.use).toBe('sig')
    const none = createLocalJWKSet({ keys: [encKey, signOnly] })
    expect(await codeOf(async () => verifyJWT(await a.sign(), none, options))).toBe(
      'ERR_JWKS_NO_MATCHING_KEY',
    )
  })

  it('two fitting keys with the same kid are ERR_JWKS_MULTIPLE_MATCHING_KEYS', async () => {
    const jwks = createLocalJWKSet({ keys: [a.jwk, { ...b.jwk, kid: 'a' }] })
    expect(await codeOf(async () => verifyJWT(await a.sign(), jwks, options))).toBe(
      'ERR_JWKS_MULTIPLE_MATCHING_KEYS',
    )
    // The same kid on keys of different types is told apart by the algorithm.
    const mixed = createLocalJWKSet({ keys: [{ ...rsa.jwk, kid: 'a' }, a.jwk] })
    expect((await verifyJWT(await a.sign(), mixed, options)).key.kty).toBe('EC')
  })

  it('without kid, tries the fitting keys in order, up to maxCandidates', async () => {
    const keys = [a, b, c, d].map((key) => withoutKid(key.jwk))
    const token = await signJWT({}, c.privateKey, { alg: 'ES256', issuer: ISSUER, expiresIn: 60 })
    const jwks = createLocalJWKSet({ keys: [rsa.jwk, ...keys] })
    const result = await verifyJWT(token, jwks, options)
    expect(JSON.stringify(await exportJWK(result.key))).toBe(JSON.stringify(withoutKid(c.jwk)))
    const bounded = createLocalJWKSet({ keys }, { maxCandidates: 2 })
    expect(await codeOf(() => verifyJWT(token, bounded, options))).toBe('ERR_JWS_SIGNATURE_INVALID')
    const lastOfFour = await signJWT({}, d.privateKey, { alg: 'ES256', issuer: ISSUER, expiresIn: 60 })
    expect(await codeOf(() => verifyJWT(lastOfFour, jwks, options))).toBe('ERR_JWS_SIGNATURE_INVALID')
    expect(() => createLocalJWKSet({ keys }, { maxCandidates: 0 })).toThrow(/"maxCandidates"/)
  })

  it('offers oct keys for HMAC (local sets only)', async () => {
    const secret = await generateSecret('HS256', { kid: 'h' })
    const jwks = createLocalJWKSet({ keys: [await exportJWK(secret), a.jwk] })
    const token = await signJWT({}, secret, { alg: 'HS256', kid: 'h', issuer: ISSUER, expiresIn: 60 })
    expect((await verifyJWT(token, jwks, options)).key.kty).toBe('oct')
  })
})

describe('createLocalJWKSet: malformed sets and keys', () => {
  it('a value that is not an object with a keys array is ERR_JWKS_INVALID', async () => {
    for (const value of [null, [], 'keys', {}, { keys: {} }, { keys: 'x' }]) {
      expect(await codeOf(() => createLocalJWKSet(value))).toBe('ERR_JWKS_INVALID')
    }
  })

  it('one bad key does not make the good ones unusable; a token naming it gets a coded error', async () => {
    const bad = { kty: 'EC', crv: 'P-256', x: 'AAAA', y: 'AAAA', kid: 'bad' }
    const jwks = createLocalJWKSet({ keys: [42, null, bad, { kty: 'XYZ', kid: 'a' }, a.jwk] })
    expect((await verifyJWT(await a.sign(), jwks, options)).key.kid).toBe('a')
    const token = await signJWT({}, b.privateKey, { alg: 'ES256', kid: 'bad', issuer: ISSUER, expiresIn: 60 })
    const error = await verifyJWT(token, jwks, options).catch((caught: unknown) => caught)
    expect(error).toMatchObject({ code: 'ERR_JWKS_NO_MATCHING_KEY', cause: { code: 'ERR_JWK_INVALID' } })
  })

  it('the set is copied: changing the caller object later changes nothing', async () => {
    const input = { keys: [{ ...a.jwk }] }
    const jwks = createLocalJWKSet(input)
    ;(input.keys[0] as JWK).x = b.jwk.x as string
    expect((await verifyJWT(await a.sign(), jwks, options)).key.kid).toBe('a')
  })
})

describe('resolvers returning several candidate keys', () => {
  it('are tried in order by every verify function', async () => {
    const token = await a.sign()
    const resolver = (): KeyInput[] => [b.publicKey, c.publicKey, a.publicKey]
    expect((await compactVerify(token, resolver, { algorithms: ['ES256'] })).key).toBe(a.publicKey)
    expect(verifyJWTSync(token, resolver, options).key).toBe(a.publicKey)
  })

  it('an empty or oversized list is ERR_JOSE_KEY_RESOLUTION_FAILED; all failing is a signature failure', async () => {
    const token = await a.sign()
    expect(await codeOf(() => verifyJWT(token, () => [], options))).toBe('ERR_JOSE_KEY_RESOLUTION_FAILED')
    const many = Array.from({ length: MAX_KEY_CANDIDATES + 1 }, () => a.publicKey)
    expect(await codeOf(() => verifyJWT(token, () => many, options))).toBe('ERR_JOSE_KEY_RESOLUTION_FAILED')
    const wrong = (): KeyInput[] => [b.publicKey, rsa.publicKey]
    expect(await codeOf(() => verifyJWT(token, wrong, options))).toBe('ERR_JWS_SIGNATURE_INVALID')
    expect(await codeOf(() => verifyJWT(token, () => [b.publicKey, c.publicKey], options))).toBe(
      'ERR_JWS_SIGNATURE_INVALID',
    )
  })
})
