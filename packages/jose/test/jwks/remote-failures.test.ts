import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createRemoteJWKSet, type JWKSEvent, type RemoteJWKSetOptions, verifyJWT } from '../../src/index.js'
import {
  codeOf,
  ISSUER,
  makeKey,
  manualClock,
  startIssuer,
  type TestIssuer,
  type TestKey,
} from './support.js'

const options = { algorithms: ['ES256'], issuer: ISSUER }

let issuer: TestIssuer
let a: TestKey

beforeAll(async () => {
  a = await makeKey('ES256', 'a')
})
beforeEach(async () => {
  issuer = await startIssuer()
  issuer.publish([a.jwk])
})
afterEach(async () => {
  await issuer.close()
})

const remote = (extra: RemoteJWKSetOptions = {}) =>
  createRemoteJWKSet(issuer.url, { allowInsecureHttp: true, ...extra })

describe('createRemoteJWKSet: cache window', () => {
  it('an eternal max-age is clamped to maxCacheAgeMs', async () => {
    const clock = manualClock()
    issuer.behave({ cacheControl: 'public, max-age=315360000000' })
    const jwks = remote({ now: clock.now, maxCacheAgeMs: 60_000 })
    const token = await a.sign()
    await verifyJWT(token, jwks, options)
    const cache = jwks.exportCache()
    expect((cache?.freshUntil ?? 0) - (cache?.fetchedAt ?? 0)).toBe(60_000)
    clock.advance(59_999)
    await verifyJWT(token, jwks, options)
    expect(issuer.requests).toBe(1)
    clock.advance(2)
    await verifyJWT(token, jwks, options)
    expect(issuer.requests).toBe(2)
  })

  it('max-age=0 and no-store get minCacheAgeMs; a missing max-age gets defaultCacheAgeMs', async () => {
    const ages: number[] = []
    for (const cacheControl of ['max-age=0', 'no-store', undefined, 'max-age=120']) {
      issuer.behave({ cacheControl })
      const jwks = remote({ minCacheAgeMs: 5000, defaultCacheAgeMs: 60_000 })
      await jwks.reload()
      const cache = jwks.exportCache()
      ages.push((cache?.freshUntil ?? 0) - (cache?.fetchedAt ?? 0))
    }
    expect(ages).toEqual([5000, 5000, 60_000, 120_000])
  })
})

describe('createRemoteJWKSet: issuer failure', () => {
  it('serves the last good keys while the issuer is down, backs off, then fails with ERR_JWKS_UNAVAILABLE', async () => {
    const clock = manualClock()
    const events: JWKSEvent[] = []
    const jwks = remote({
      now: clock.now,
      random: () => 0,
      defaultCacheAgeMs: 60_000,
      staleIfErrorMs: 10_000,
      backoffInitialMs: 2000,
      onEvent: (event) => events.push(event),
    })
    const token = await a.sign()
    await verifyJWT(token, jwks, options)

    issuer.behave({ status: 503 })
    clock.advance(60_000)
    expect((await verifyJWT(token, jwks, options)).key.kid).toBe('a')
    expect(issuer.requests).toBe(2)
    // Backing off (jitter 0: half of 2000 ms): no request, the stale set still serves.
    clock.advance(999)
    await verifyJWT(token, jwks, options)
    expect(issuer.requests).toBe(2)
    clock.advance(1)
    await verifyJWT(token, jwks, options)
    expect(issuer.requests).toBe(3)
    // Past the stale-if-error window: a coded failure that names the last reason.
    clock.advance(10_000)
    const error = await verifyJWT(token, jwks, options).catch((caught: unknown) => caught)
    expect(error).toMatchObject({ code: 'ERR_JWKS_UNAVAILABLE', cause: { code: 'ERR_JWKS_FETCH_FAILED' } })
    expect(jwks.stats()).toMatchObject({
      fetchFailures: 3,
      failuresByCode: { ERR_JWKS_FETCH_FAILED: 3 },
      unavailable: 1,
    })
    expect(events.some((event) => event.type === 'stale-served')).toBe(true)
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'fetch-failed', code: 'ERR_JWKS_FETCH_FAILED' }),
    )

    // The issuer recovers: the next attempt after the backoff succeeds.
    issuer.behave({ status: 200 })
    clock.advance(60_000)
    expect((await verifyJWT(token, jwks, options)).key.kid).toBe('a')
  })

  it('an issuer that never answered fails with ERR_JWKS_UNAVAILABLE, backing off between attempts', async () => {
    await issuer.close()
    const jwks = remote({ random: () => 0 })
    const first = await verifyJWT(await a.sign(), jwks, options).catch((caught: unknown) => caught)
    expect(first).toMatchObject({ code: 'ERR_JWKS_UNAVAILABLE', cause: { code: 'ERR_JWKS_FETCH_FAILED' } })
    expect(await codeOf(async () => verifyJWT(await a.sign(), jwks, options))).toBe('ERR_JWKS_UNAVAILABLE')
    expect(jwks.stats().fetches).toBe(1)
    issuer = await startIssuer()
  })

  it('backs off exponentially with jitter between failed fetches', async () => {
    const attemptsAt = async (random: number): Promise<number[]> => {
      const clock = manualClock(0)
      const attempts: number[] = []
      const jwks = remote({
        now: clock.now,
        random: () => random,
        backoffInitialMs: 1000,
        backoffMaxMs: 4000,
        onEvent: (event) => {
          if (event.type === 'fetch-failed') attempts.push(clock.now())
        },
      })
      for (let step = 0; step < 120; step++) {
        await jwks({ alg: 'ES256', kid: 'a' }).catch(() => {})
        clock.advance(100)
      }
      return attempts
    }
    issuer.behave({ status: 500 })
    // Waits of 500, 1000, 2000, then capped at 2000 with no jitter; up to twice that with full jitter.
    expect(await attemptsAt(0)).toEqual([0, 500, 1500, 3500, 5500, 7500, 9500, 11_500])
    expect(await attemptsAt(0.999)).toEqual([0, 1000, 3000, 7000, 11_000])
  })

  it('a throwing event listener does not break verification', async () => {
    const jwks = remote({
      onEvent: () => {
        throw new Error('listener bug')
      },
    })
    expect((await verifyJWT(await a.sign(), jwks, options)).key.kid).toBe('a')
  })

  it('an imported cache is held to maxCacheAgeMs, whatever it claims', async () => {
    const clock = manualClock()
    const jwks = remote({ now: clock.now, maxCacheAgeMs: 60_000 })
    const fetchedAt = clock.now()
    const cache = { url: jwks.url, jwks: { keys: [a.jwk] }, fetchedAt, freshUntil: fetchedAt + 1e12 }
    expect(jwks.importCache(cache)).toBe(true)
    expect(jwks.exportCache()?.freshUntil).toBe(fetchedAt + 60_000)
    expect(await codeOf(() => jwks.importCache({ ...cache, jwks: { keys: 'x' } as never }))).toBe(
      'ERR_JWKS_INVALID',
    )
  })

  it('concurrent first lookups share one fetch', async () => {
    const jwks = remote()
    const token = await a.sign()
    await Promise.all(Array.from({ length: 200 }, () => verifyJWT(token, jwks, options)))
    expect(issuer.requests).toBe(1)
    expect(jwks.stats()).toMatchObject({ fetches: 1, cacheHits: 200 })
  })

  it('a slow issuer times out with ERR_JWKS_TIMEOUT', async () => {
    issuer.behave({ delayMs: 5000 })
    const jwks = remote({ timeoutMs: 150 })
    const started = Date.now()
    expect(await codeOf(() => jwks.reload())).toBe('ERR_JWKS_TIMEOUT')
    expect(Date.now() - started).toBeLessThan(2000)
    const error = await verifyJWT(await a.sign(), jwks, options).catch((caught: unknown) => caught)
    expect(error).toMatchObject({ code: 'ERR_JWKS_UNAVAILABLE', cause: { code: 'ERR_JWKS_TIMEOUT' } })
  })
})

describe('createRemoteJWKSet: what it accepts', () => {
  it('refuses an oversized set while it streams, and one that declares its size', async () => {
    issuer.behave({ streamBytes: 8 * 1024 * 1024 })
    expect(await codeOf(() => remote({ maxResponseBytes: 64 * 1024 }).reload())).toBe('ERR_JWKS_TOO_LARGE')
    issuer.behave({ streamBytes: 0, body: ' '.repeat(100_000), contentLength: 100_000 })
    expect(await codeOf(() => remote({ maxResponseBytes: 64 * 1024 }).reload())).toBe('ERR_JWKS_TOO_LARGE')
  })

  it('refuses a response that is not JSON by its content type', async () => {
    for (const contentType of ['text/html', 'application/jsonp', 'text/plain; charset=utf-8']) {
      issuer.behave({ contentType })
      expect(await codeOf(() => remote().reload())).toBe('ERR_JWKS_CONTENT_TYPE')
    }
    issuer.behave({ contentType: 'application/jwk-set+json; charset=utf-8' })
    await remote().reload()
  })

  it('refuses JSON that is not a JWK set, and bodies that are not JSON', async () => {
    for (const body of ['{"foo":1}', '[]', '{"keys":1}', 'not json', '{"keys":[],"keys":[]}']) {
      issuer.behave({ body })
      expect(await codeOf(() => remote().reload())).toBe('ERR_JWKS_INVALID')
    }
  })

  it('refuses redirects and non-200 answers with ERR_JWKS_FETCH_FAILED', async () => {
    issuer.behave({ redirectTo: '/elsewhere.json' })
    expect(await codeOf(() => remote().reload())).toBe('ERR_JWKS_FETCH_FAILED')
    expect(issuer.otherRequests).toBe(0)
    issuer.behave({ redirectTo: undefined, status: 404 })
    expect(await codeOf(() => remote().reload())).toBe('ERR_JWKS_FETCH_FAILED')
  })

  it('sends no cookies or credentials, and refuses options that would', async () => {
    await remote({ headers: { 'user-agent': 'tessera-test' } }).reload()
    expect(issuer.lastHeaders?.['user-agent']).toBe('tessera-test')
    expect(issuer.lastHeaders?.cookie).toBeUndefined()
    expect(issuer.lastHeaders?.authorization).toBeUndefined()
    expect(() => remote({ headers: { Cookie: 'a=b' } })).toThrow(TypeError)
    expect(() => remote({ headers: { Authorization: 'Bearer x' } })).toThrow(/"headers"/)
    expect(() => createRemoteJWKSet(issuer.url.replace('http://', 'https://user:pw@'))).toThrow(/"url"/)
  })

  it('needs https unless allowInsecureHttp, and checks its options', () => {
    expect(() => createRemoteJWKSet(issuer.url)).toThrow(/allowInsecureHttp/)
    expect(() => createRemoteJWKSet('ftp://issuer.test/jwks')).toThrow(TypeError)
    expect(() => createRemoteJWKSet('not a url')).toThrow(/"url"/)
    expect(() => remote({ timeoutMs: 0 })).toThrow(/"timeoutMs"/)
    expect(() => remote({ minCacheAgeMs: 10, maxCacheAgeMs: 5 })).toThrow(/"minCacheAgeMs"/)
    expect(() => remote({ staleIfErrorMs: Number.NaN })).toThrow(/"staleIfErrorMs"/)
    expect(() => remote({ backoffInitialMs: -1 })).toThrow(/"backoffInitialMs"/)
  })
})
