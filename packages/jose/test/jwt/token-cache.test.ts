import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import {
  createJWTVerifier,
  createLocalJWKSet,
  createRemoteJWKSet,
  type JOSEHeaderParameters,
  type LocalJWKSet,
  signJWT,
} from '../../src/index.js'
import { codeOf, ISSUER, makeKey, startIssuer, type TestKey } from '../jwks/support.js'

const options = { algorithms: ['ES256'], issuer: ISSUER }

let a: TestKey
let b: TestKey

beforeAll(async () => {
  ;[a, b] = await Promise.all([makeKey('ES256', 'a'), makeKey('ES256', 'b')])
})
afterEach(() => {
  vi.useRealTimers()
})

/** A local set that counts lookups: a cache hit skips the lookup and the signature check. */
function counting(jwks: LocalJWKSet) {
  const resolver = Object.assign(
    (header: JOSEHeaderParameters) => {
      resolver.calls++
      return jwks(header)
    },
    { calls: 0, hasKey: jwks.hasKey },
  )
  return resolver
}

describe('createJWTVerifier tokenCache', () => {
  it('is off unless asked for; on, a repeated token skips key lookup and signature', async () => {
    const resolver = counting(createLocalJWKSet({ keys: [a.jwk] }))
    const token = await a.sign()
    const plain = createJWTVerifier({ key: resolver, ...options })
    await plain(token)
    await plain(token)
    expect(resolver.calls).toBe(2)
    const cached = createJWTVerifier({ key: resolver, ...options, tokenCache: true })
    const first = await cached(token)
    const second = cached.sync(token)
    expect(resolver.calls).toBe(3)
    expect(second.payload).toBe(first.payload)
    expect(Object.isFrozen(second.payload)).toBe(true)
  })

  it('two different tokens never share an entry (same claims, another signature)', async () => {
    const verify = createJWTVerifier({
      key: createLocalJWKSet({ keys: [a.jwk] }),
      ...options,
      tokenCache: true,
    })
    const token = await a.sign({ n: 1 })
    await verify(token)
    const [head, body] = token.split('.')
    const forged = `${head}.${body}.${(await a.sign({ n: 2 })).split('.')[2]}`
    expect(await codeOf(() => verify(forged))).toBe('ERR_JWS_SIGNATURE_INVALID')
    expect(await codeOf(() => verify(`${token} `))).not.toBe('no error')
  })

  it('an entry never outlives exp, and nbf is checked again on every hit', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const now = Math.floor(Date.now() / 1000)
    const verify = createJWTVerifier({
      key: createLocalJWKSet({ keys: [a.jwk] }),
      ...options,
      tokenCache: true,
    })
    const token = await signJWT({ nbf: now - 5, exp: now + 60 }, a.privateKey, {
      alg: 'ES256',
      kid: 'a',
      issuer: ISSUER,
      iat: now - 5,
    })
    await verify(token)
    vi.setSystemTime((now - 10) * 1000)
    expect(await codeOf(() => verify(token))).toBe('ERR_JWT_NOT_YET_VALID')
    vi.setSystemTime((now + 10) * 1000)
    await verify(token)
    vi.setSystemTime((now + 61) * 1000)
    expect(await codeOf(() => verify(token))).toBe('ERR_JWT_EXPIRED')
    expect(await codeOf(() => verify.sync(token))).toBe('ERR_JWT_EXPIRED')
  })

  it('failures are not cached unless negativeTtlMs asks, and then only for that long', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const resolver = counting(createLocalJWKSet({ keys: [a.jwk] }))
    const wrongIssuer = await signJWT({}, a.privateKey, {
      alg: 'ES256',
      kid: 'a',
      issuer: 'x',
      expiresIn: 60,
    })
    const plain = createJWTVerifier({ key: resolver, ...options, tokenCache: true })
    for (let n = 0; n < 2; n++) expect(await codeOf(() => plain(wrongIssuer))).toBe('ERR_JWT_ISSUER_MISMATCH')
    expect(resolver.calls).toBe(2)
    const negative = createJWTVerifier({ key: resolver, ...options, tokenCache: { negativeTtlMs: 1000 } })
    for (let n = 0; n < 3; n++)
      expect(await codeOf(() => negative(wrongIssuer))).toBe('ERR_JWT_ISSUER_MISMATCH')
    expect(resolver.calls).toBe(3)
    vi.setSystemTime(Date.now() + 1001)
    expect(await codeOf(() => negative(wrongIssuer))).toBe('ERR_JWT_ISSUER_MISMATCH')
    expect(resolver.calls).toBe(4)
    // A key set miss may be a rotation in progress: never remembered.
    const unknownKid = await b.sign()
    for (let n = 0; n < 2; n++)
      expect(await codeOf(() => negative(unknownKid))).toBe('ERR_JWKS_NO_MATCHING_KEY')
    expect(resolver.calls).toBe(6)
  })

  it('is a bounded LRU', async () => {
    const resolver = counting(createLocalJWKSet({ keys: [a.jwk] }))
    const verify = createJWTVerifier({ key: resolver, ...options, tokenCache: { maxEntries: 2 } })
    const [t1, t2, t3] = await Promise.all([a.sign({ n: 1 }), a.sign({ n: 2 }), a.sign({ n: 3 })])
    for (const token of [t1, t2, t1, t3] as string[]) await verify(token)
    expect(resolver.calls).toBe(3)
    await verify(t1 as string)
    expect(resolver.calls).toBe(3)
    await verify(t2 as string)
    expect(resolver.calls).toBe(4)
    expect(() => createJWTVerifier({ key: resolver, ...options, tokenCache: { maxEntries: 0 } })).toThrow(
      /"tokenCache.maxEntries"/,
    )
  })

  it('entries go when the remote key set stops containing their key', async () => {
    const issuer = await startIssuer()
    try {
      issuer.publish([a.jwk, b.jwk])
      const jwks = createRemoteJWKSet(issuer.url, { allowInsecureHttp: true })
      const verify = createJWTVerifier({ key: jwks, ...options, tokenCache: true })
      const [fromA, fromB] = await Promise.all([a.sign(), b.sign()])
      await verify(fromA)
      await verify(fromB)
      issuer.publish([b.jwk])
      await jwks.reload()
      expect(await codeOf(() => verify(fromA))).toBe('ERR_JWKS_NO_MATCHING_KEY')
      expect((await verify(fromB)).key.kid).toBe('b')
      // b's entry survived the new version of the set: two lookups in all, one per key.
      expect(jwks.stats().cacheHits).toBe(2)
      // a's kid is now unknown, so its token refetched once (first, reload, unknown kid).
      expect(issuer.requests).toBe(3)
    } finally {
      await issuer.close()
    }
  })
})
