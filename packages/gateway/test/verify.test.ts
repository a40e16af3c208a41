import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createTokenVerifier, type VerifierEvent } from '../src/index.js'
import { type LocalIssuer, startLocalIssuer } from './helpers/local-issuer.js'

let issuer: LocalIssuer

beforeAll(async () => {
  issuer = await startLocalIssuer()
})
afterAll(() => issuer.close())

const base = () => ({
  issuer: issuer.issuer,
  audience: 'orders',
  algorithms: ['ES256'],
  allowInsecureHttp: true,
})

describe('createTokenVerifier options', () => {
  test.each(['issuer', 'audience', 'algorithms'] as const)('"%s" is required', (name) => {
    const options: Record<string, unknown> = base()
    delete options[name]
    expect(() => createTokenVerifier(options as never)).toThrow(
      new TypeError(`"${name}" is required by createTokenVerifier`),
    )
  })

  test('an unknown option is a TypeError that suggests the nearest one', () => {
    expect(() => createTokenVerifier({ ...base(), audiance: 'x' } as never)).toThrow(
      new TypeError('"audiance" is not an option of createTokenVerifier; did you mean "audience"?'),
    )
    expect(() => createTokenVerifier({ ...base(), clocktolerance: 5 } as never)).toThrow(
      new TypeError(
        '"clocktolerance" is not an option of createTokenVerifier; did you mean "clockTolerance"?',
      ),
    )
    expect(() => createTokenVerifier({ ...base(), zzzzzzzzzzzzzz: 1 } as never)).toThrow(
      new TypeError('"zzzzzzzzzzzzzz" is not an option of createTokenVerifier'),
    )
  })

  test('symmetric algorithms and http: issuers are refused', () => {
    expect(() => createTokenVerifier({ ...base(), algorithms: ['HS256'] })).toThrow(TypeError)
    expect(() => createTokenVerifier({ ...base(), allowInsecureHttp: false })).toThrow(
      /"issuer" must be an https: URL/,
    )
  })
})

describe('verification', () => {
  test('discovers the JWKS from the issuer metadata when jwksUri is absent, once', async () => {
    const before = issuer.metadataHits()
    const verifier = createTokenVerifier(base())
    const [a, b] = await Promise.all([
      verifier.verify(await issuer.sign({})),
      verifier.verify(await issuer.sign({ sub: 'bob' })),
    ])
    expect(a).toMatchObject({ ok: true, identity: { sub: 'alice', scope: new Set(['read']) } })
    expect(b).toMatchObject({ ok: true, identity: { sub: 'bob' } })
    expect(issuer.metadataHits() - before).toBe(1)
  })

  test('with jwksUri, no discovery at all', async () => {
    const before = issuer.metadataHits()
    const verifier = createTokenVerifier({ ...base(), jwksUri: issuer.jwksUri })
    expect((await verifier.verify(await issuer.sign({}))).ok).toBe(true)
    expect(issuer.metadataHits()).toBe(before)
  })

  test('typ is checked when configured', async () => {
    const verifier = createTokenVerifier({ ...base(), typ: 'at+jwt' })
    expect(await verifier.verify(await issuer.sign({}, { typ: 'JWT' }))).toEqual({
      ok: false,
      reason: 'wrong_type',
    })
    expect((await verifier.verify(await issuer.sign({}))).ok).toBe(true)
  })

  test('clockTolerance admits a just-expired token, and only within it', async () => {
    const token = await issuer.sign({ iat: Math.floor(Date.now() / 1000) - 100 }, { expiresIn: 90 })
    expect(await createTokenVerifier(base()).verify(token)).toEqual({ ok: false, reason: 'expired' })
    expect((await createTokenVerifier({ ...base(), clockTolerance: 30 }).verify(token)).ok).toBe(true)
  })

  test('the result cache answers repeats, and never past exp', async () => {
    const events: VerifierEvent[] = []
    const verifier = createTokenVerifier({ ...base(), onEvent: (event) => events.push(event) })
    const now = Math.floor(Date.now() / 1000)
    const token = await issuer.sign({ iat: now - 58 }, { expiresIn: 60 })
    expect((await verifier.verify(token)).ok).toBe(true)
    expect((await verifier.verify(token)).ok).toBe(true)
    const verified = events.filter((event) => event.type === 'verified')
    expect(verified.map((event) => event.type === 'verified' && event.cached)).toEqual([false, true])
    await new Promise((resolve) => setTimeout(resolve, 2100))
    expect(await verifier.verify(token)).toEqual({ ok: false, reason: 'expired' })
  })

  test('a cached verification goes when its key leaves the set: the token is then refused', async () => {
    const rotating = await startLocalIssuer()
    const events: VerifierEvent[] = []
    const verifier = createTokenVerifier({
      ...base(),
      issuer: rotating.issuer,
      onEvent: (event) => events.push(event),
    })
    const token = await rotating.sign({ iss: rotating.issuer })
    expect((await verifier.verify(token)).ok).toBe(true)
    expect((await verifier.verify(token)).ok).toBe(true)
    await rotating.rotate()
    await verifier.keys?.reload()
    expect(events.some((event) => event.type === 'jwks' && event.event.type === 'keys-removed')).toBe(true)
    // Nothing is left to forget: the entry went with the key, not at this lookup.
    expect(verifier.forget(() => true)).toBe(0)
    expect(await verifier.verify(token)).toEqual({ ok: false, reason: 'unknown_key' })
    expect((await verifier.verify(await rotating.sign({ iss: rotating.issuer }))).ok).toBe(true)
    await rotating.close()
  })

  test('forget drops the cached verifications it picks, and only those', async () => {
    const events: VerifierEvent[] = []
    const verifier = createTokenVerifier({ ...base(), onEvent: (event) => events.push(event) })
    const alice = await issuer.sign({})
    const bob = await issuer.sign({ sub: 'bob' })
    await verifier.verify(alice)
    await verifier.verify(bob)
    expect(verifier.forget((identity) => identity.sub === 'bob')).toBe(1)
    await verifier.verify(alice)
    await verifier.verify(bob)
    const cached = events.flatMap((event) => (event.type === 'verified' ? [event.cached] : []))
    expect(cached).toEqual([false, false, true, false])
  })

  test('metadata naming another issuer is refused: 503, keys unavailable', async () => {
    const liar = await startLocalIssuer()
    liar.lieAboutIssuer()
    const verifier = createTokenVerifier({ ...base(), issuer: liar.issuer })
    const result = await verifier.verifyRequest({
      headers: { authorization: `Bearer ${await liar.sign({})}` },
    })
    expect(result).toMatchObject({ ok: false, refusal: { status: 503, reason: 'keys_unavailable' } })
    await liar.close()
  })
})

describe('verifyRequest', () => {
  test('reads fetch Headers as well as node header records', async () => {
    const verifier = createTokenVerifier(base())
    const token = await issuer.sign({})
    const result = await verifier.verifyRequest(
      new Request('http://x/', { headers: { authorization: `Bearer ${token}` } }),
    )
    expect(result.ok).toBe(true)
  })

  test('insufficient scope names every required scope', async () => {
    const verifier = createTokenVerifier({ ...base(), realm: 'shop' })
    const token = await issuer.sign({ scope: 'read' })
    const result = await verifier.verifyRequest(
      { headers: { authorization: `Bearer ${token}` } },
      { scopes: ['read', 'write', 'admin'] },
    )
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.refusal.status).toBe(403)
    expect(result.refusal.headers['www-authenticate']).toBe(
      'Bearer realm="shop", error="insufficient_scope", error_description="the token lacks a scope this request needs", scope="read write admin"',
    )
  })

  test.each([
    ['Bearer', 400],
    ['Bearer  ', 400],
    ['Bearer a,b', 400],
    ['Bearer "quoted"', 400],
    ['Basic abc', 401],
    ['', 401],
  ])('Authorization %j → %i', async (header, status) => {
    const verifier = createTokenVerifier(base())
    const result = await verifier.verifyRequest({ headers: { authorization: header } })
    expect(result).toMatchObject({ ok: false, refusal: { status } })
  })
})
