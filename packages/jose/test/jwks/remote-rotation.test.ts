import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  createJWTVerifier,
  createRemoteJWKSet,
  type JWKSCacheExport,
  type JWKSEvent,
  verifyJWT,
} from '../../src/index.js'
import {
  codeOf,
  ISSUER,
  makeKey,
  manualClock,
  startIssuer,
  type TestIssuer,
  type TestKey,
} from './support.js'

const options = { algorithms: ['Ed25519', 'ES256'], issuer: ISSUER }

let issuer: TestIssuer
let a: TestKey
let b: TestKey
let c: TestKey

beforeAll(async () => {
  ;[a, b, c] = await Promise.all([makeKey('Ed25519', 'a'), makeKey('Ed25519', 'b'), makeKey('Ed25519', 'c')])
})
beforeEach(async () => {
  issuer = await startIssuer()
})
afterEach(async () => {
  await issuer.close()
})

/** Verifies every token at once and says which failed, with their codes. */
async function failures(verify: (token: string) => Promise<unknown>, tokens: string[]): Promise<unknown[]> {
  const outcomes = await Promise.allSettled(tokens.map((token) => verify(token)))
  return outcomes.flatMap((outcome) =>
    outcome.status === 'rejected' ? [(outcome.reason as { code?: unknown }).code ?? outcome.reason] : [],
  )
}

describe('createRemoteJWKSet: rotation', () => {
  it('a token signed by a published key always verifies while keys are added and retired', async () => {
    const clock = manualClock()
    const events: JWKSEvent[] = []
    const jwks = createRemoteJWKSet(issuer.url, {
      allowInsecureHttp: true,
      now: clock.now,
      onEvent: (event) => events.push(event),
    })
    const verify = createJWTVerifier({ key: jwks, ...options })
    const tokensOf = async (key: TestKey) =>
      Promise.all(Array.from({ length: 20 }, (_, n) => key.sign({ n })))

    issuer.publish([a.jwk])
    expect(await failures(verify, await tokensOf(a))).toEqual([])
    expect(issuer.requests).toBe(1)

    // The issuer publishes b before signing with it: the first b token refetches at once.
    issuer.publish([a.jwk, b.jwk])
    expect(await failures(verify, [...(await tokensOf(a)), ...(await tokensOf(b))])).toEqual([])
    expect(issuer.requests).toBe(2)

    // a is retired; once the cached set expires, b keeps working and a stops.
    issuer.publish([b.jwk])
    clock.advance(10 * 60_000 + 1)
    expect(await failures(verify, await tokensOf(b))).toEqual([])
    expect(issuer.requests).toBe(3)
    expect(await codeOf(async () => verify(await a.sign()))).toBe('ERR_JWKS_NO_MATCHING_KEY')
    expect(events).toContainEqual({ type: 'keys-removed', kids: ['a'] })

    // The next rotation, past the cooldown: c is found by its unknown kid.
    clock.advance(31_000)
    issuer.publish([b.jwk, c.jwk])
    expect(await failures(verify, [...(await tokensOf(b)), ...(await tokensOf(c))])).toEqual([])
    expect(issuer.requests).toBe(5)
    expect(events.filter((event) => event.type === 'unknown-kid').length).toBeGreaterThan(0)
  })

  it('unknown kids refetch at most once per cooldown', async () => {
    const clock = manualClock()
    const jwks = createRemoteJWKSet(issuer.url, {
      allowInsecureHttp: true,
      now: clock.now,
      cooldownMs: 30_000,
    })
    issuer.publish([a.jwk])
    await verifyJWT(await a.sign(), jwks, options)
    const stray = await c.sign()
    expect(await codeOf(() => verifyJWT(stray, jwks, options))).toBe('ERR_JWKS_NO_MATCHING_KEY')
    expect(await codeOf(() => verifyJWT(stray, jwks, options))).toBe('ERR_JWKS_NO_MATCHING_KEY')
    expect(issuer.requests).toBe(2)
    clock.advance(30_000)
    expect(await codeOf(() => verifyJWT(stray, jwks, options))).toBe('ERR_JWKS_NO_MATCHING_KEY')
    expect(issuer.requests).toBe(3)
    expect(jwks.stats()).toMatchObject({ fetches: 3, unknownKids: 3, refetchesSuppressed: 1 })
  })

  it('thundering herd: 10 000 concurrent verifications with a new kid cause exactly one fetch', async () => {
    const jwks = createRemoteJWKSet(issuer.url, { allowInsecureHttp: true })
    const verify = createJWTVerifier({ key: jwks, ...options })
    issuer.publish([a.jwk])
    await verify(await a.sign())
    expect(issuer.requests).toBe(1)

    issuer.publish([a.jwk, b.jwk])
    // A slow answer keeps the fetch in flight while every verification arrives.
    issuer.behave({ delayMs: 100 })
    const distinct = await Promise.all(Array.from({ length: 100 }, (_, n) => b.sign({ n })))
    const tokens = Array.from({ length: 10_000 }, (_, n) => distinct[n % 100] as string)
    expect(await failures(verify, tokens)).toEqual([])
    expect(issuer.requests).toBe(2)
    expect(jwks.stats()).toMatchObject({ fetches: 2, fetchFailures: 0 })
  })

  it('reload() fetches now; exportCache/importCache give a warm start without a fetch', async () => {
    issuer.publish([a.jwk])
    const first = createRemoteJWKSet(issuer.url, { allowInsecureHttp: true })
    expect(first.exportCache()).toBeUndefined()
    await first.reload()
    const exported = first.exportCache()
    expect(exported?.jwks.keys).toHaveLength(1)

    const second = createRemoteJWKSet(issuer.url, {
      allowInsecureHttp: true,
      cache: JSON.parse(JSON.stringify(exported)),
    })
    expect((await verifyJWT(await a.sign(), second, options)).key.kid).toBe('a')
    expect(issuer.requests).toBe(1)
    expect(second.importCache(exported as JWKSCacheExport)).toBe(false)

    const other = createRemoteJWKSet('https://other.test/jwks.json')
    expect(await codeOf(() => other.importCache(exported as JWKSCacheExport))).toBe('ERR_JWKS_INVALID')
    expect(
      await codeOf(() =>
        other.importCache({ ...(exported as JWKSCacheExport), url: other.url, fetchedAt: -1 }),
      ),
    ).toBe('ERR_JWKS_INVALID')
  })

  it('never offers oct keys fetched from a URL', async () => {
    const secret = { kty: 'oct', k: Buffer.alloc(32, 7).toString('base64url'), kid: 'h', alg: 'HS256' }
    issuer.publish([secret])
    const jwks = createRemoteJWKSet(issuer.url, { allowInsecureHttp: true })
    const header = { alg: 'HS256', kid: 'h' }
    expect(await codeOf(() => jwks(header))).toBe('ERR_JWKS_NO_MATCHING_KEY')
  })
})
