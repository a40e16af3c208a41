import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTokenVerifier, type VerifierEvent } from '../../src/index.js'
import { RevocationState } from '../../src/revocation/revocation-state.js'
import type { RevocationSnapshot } from '../../src/revocation/snapshot.js'
import { withRevocation } from '../../src/revocation/with-revocation.js'
import { type LocalIssuer, startLocalIssuer } from '../helpers/local-issuer.js'

let issuer: LocalIssuer
beforeAll(async () => {
  issuer = await startLocalIssuer()
})
afterAll(() => issuer.close())

function snapshot(version: number, revoked: { jtis?: string[]; subjects?: string[] }): RevocationSnapshot {
  const now = Math.floor(Date.now() / 1000)
  return {
    version,
    iat: now,
    exp: now + 300,
    jtis: new Map((revoked.jtis ?? []).map((jti) => [jti, now + 300])),
    refreshFamilies: new Set(),
    issuedBefore: {
      subject: new Map((revoked.subjects ?? []).map((sub) => [sub, now + 1])),
      device: new Map(),
      client: new Map(),
    },
  }
}

/** The verified-token cache and the revocation snapshot (issue 14: a revoked token leaves the cache). */
describe('cached verifications and revocation', () => {
  it('a snapshot that revokes a cached token drops it from the cache; the others stay cached', async () => {
    const events: VerifierEvent[] = []
    const state = new RevocationState({ maxStaleness: 60_000, onStale: 'closed' })
    state.apply(snapshot(1, {}))
    const verifier = withRevocation(
      createTokenVerifier({
        issuer: issuer.issuer,
        audience: 'orders',
        algorithms: ['ES256'],
        allowInsecureHttp: true,
        onEvent: (event) => events.push(event),
      }),
      state,
    )
    const revoked = await issuer.sign({ jti: 'jti-revoked' })
    const killed = await issuer.sign({ jti: 'jti-killed', sub: 'mallory' })
    const kept = await issuer.sign({ jti: 'jti-kept' })
    for (const token of [revoked, killed, kept, revoked, killed, kept])
      expect((await verifier.verify(token)).ok).toBe(true)
    const cachedSoFar = events.flatMap((event) => (event.type === 'verified' ? [event.cached] : []))
    expect(cachedSoFar).toEqual([false, false, false, true, true, true])

    state.apply(snapshot(2, { jtis: ['jti-revoked'], subjects: ['mallory'] }))
    events.length = 0
    expect(await verifier.verify(revoked)).toEqual({ ok: false, reason: 'revoked' })
    expect(await verifier.verify(killed)).toEqual({ ok: false, reason: 'revoked' })
    expect((await verifier.verify(kept)).ok).toBe(true)
    // The revoked two were verified afresh (their entries are gone); the third is still a hit.
    expect(events.flatMap((event) => (event.type === 'verified' ? [event.cached] : []))).toEqual([
      false,
      false,
      true,
    ])
    // And a request with the revoked token gets the RFC 6750 answer.
    const answer = await verifier.verifyRequest({ headers: { authorization: `Bearer ${revoked}` } })
    expect(answer).toMatchObject({ ok: false, refusal: { status: 401, reason: 'revoked' } })
  })

  it('a snapshot that changes nothing leaves the cache alone', async () => {
    const events: VerifierEvent[] = []
    const state = new RevocationState({ maxStaleness: 60_000, onStale: 'closed' })
    const first = snapshot(1, {})
    state.apply(first)
    const verifier = withRevocation(
      createTokenVerifier({
        issuer: issuer.issuer,
        audience: 'orders',
        algorithms: ['ES256'],
        allowInsecureHttp: true,
        onEvent: (event) => events.push(event),
      }),
      state,
    )
    const token = await issuer.sign({ jti: 'jti-unchanged' })
    await verifier.verify(token)
    state.apply({ ...first, iat: first.iat + 1 })
    await verifier.verify(token)
    expect(events.flatMap((event) => (event.type === 'verified' ? [event.cached] : []))).toEqual([
      false,
      true,
    ])
  })
})
