import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { generateKeyPair, signJWT } from '@tessera/jose'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createTokenVerifier, parseSettings, RefusalReporter, readRawSettings } from '../src/index.js'
import {
  ADMIN_TOKEN,
  clientToken,
  registerClient,
  startAuthority,
  type TestAuthority,
  type TestClient,
  tempDir,
} from './helpers/authority.js'
import { startGateway } from './helpers/gateway.js'
import { startUpstream } from './helpers/upstream.js'

const AUDIENCE = 'https://api.example/orders'
const dir = tempDir()
let authority: TestAuthority
let reader: TestClient

beforeAll(async () => {
  authority = await startAuthority(dir.path)
  reader = await registerClient(authority.url, { scope: 'orders:read', resources: [AUDIENCE] })
})
afterAll(async () => {
  await authority?.close()
  dir.remove()
})

async function securityEvents() {
  await authority.authority.context.audit.flush()
  const response = await fetch(`${authority.url}/admin/security-events`, {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  })
  return (
    (await response.json()) as {
      events: { rule: string; subject: string; detail: Record<string, unknown> }[]
    }
  ).events
}

describe('gateway refusal reports → the authority’s gateway_verification_skew rule (real HTTP)', () => {
  test('unknown-kid and future-iat refusals pushed by the reporter fire the rule at 20 within 5 minutes', async () => {
    const errors: unknown[] = []
    const reporter = new RefusalReporter({
      authority: authority.url,
      adminToken: ADMIN_TOKEN,
      gateway: 'edge-1',
      onError: (error) => errors.push(error),
    })
    const verifier = createTokenVerifier({
      issuer: authority.issuer,
      audience: AUDIENCE,
      algorithms: ['ES256'],
      allowInsecureHttp: true,
      onEvent: reporter.observe,
    })
    expect((await verifier.verify(await clientToken(authority.url, reader))).ok).toBe(true)
    // Tokens naming a kid the JWK set lacks: what a deploy signing with an unpublished key produces.
    const { privateKey } = await generateKeyPair('ES256')
    const now = Math.floor(Date.now() / 1000)
    for (let i = 0; i < 14; i++) {
      const forged = await signJWT(
        { iss: authority.issuer, aud: AUDIENCE, sub: 'x', iat: now, exp: now + 60 },
        privateKey,
        { alg: 'ES256', kid: `not-published-${i}` },
      )
      expect(await verifier.verify(forged)).toEqual({ ok: false, reason: 'unknown_key' })
    }
    // Tokens from an issuer whose clock runs 10 minutes ahead: same keys, iat in the future.
    const ahead = await startAuthority(dir.path, { issuer: authority.issuer, clockOffsetMs: 10 * 60_000 })
    try {
      for (let i = 0; i < 5; i++) {
        const token = await clientToken(ahead.url, reader)
        expect(await verifier.verify(token)).toEqual({ ok: false, reason: 'issued_in_future' })
      }
    } finally {
      await ahead.close()
    }
    expect(reporter.pending).toEqual({ unknown_kid: 14, clock_skew: 5 })
    expect(await reporter.report()).toBe(true)
    expect(reporter.pending).toEqual({ unknown_kid: 0, clock_skew: 0 })
    expect((await securityEvents()).filter((event) => event.rule === 'gateway_verification_skew')).toEqual([])
    // The 20th refusal, in the next report, crosses the threshold.
    const forged = await signJWT(
      { iss: authority.issuer, aud: AUDIENCE, iat: now, exp: now + 60 },
      privateKey,
      {
        alg: 'ES256',
        kid: 'not-published-last',
      },
    )
    await verifier.verify(forged)
    await reporter.stop()
    const fired = (await securityEvents()).filter((event) => event.rule === 'gateway_verification_skew')
    expect(fired).toEqual([
      expect.objectContaining({ subject: 'edge-1', detail: { refusals: 20, window_s: 300 } }),
    ])
    expect(errors).toEqual([])
  })

  test('a refused report keeps its counts for the next one; bad reports get 400, no token 401', async () => {
    const errors: unknown[] = []
    const reporter = new RefusalReporter({
      authority: authority.url,
      adminToken: 'not-the-admin-token-0123456789abcdef',
      gateway: 'edge-2',
      onError: (error) => errors.push(error),
    })
    reporter.observe({ type: 'refused', reason: 'unknown_key', durationMs: 1 })
    reporter.observe({ type: 'refused', reason: 'expired', durationMs: 1 })
    expect(await reporter.report()).toBe(false)
    expect(reporter.pending).toEqual({ unknown_kid: 1, clock_skew: 0 })
    expect(String(errors[0])).toContain('401')
    const post = (body: unknown, token = ADMIN_TOKEN) =>
      fetch(`${authority.url}/admin/gateway-reports`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
    for (const body of [
      { gateway: 'has space', unknown_kid: 1 },
      { gateway: 'g', unknown_kid: -1 },
      { gateway: 'g', unknown_kid: 1.5 },
      { gateway: 'g', other: 1 },
      [1, 2],
    ]) {
      const response = await post(body)
      expect(response.status).toBe(400)
      expect(((await response.json()) as { error: string }).error).toBe('invalid_request')
    }
    expect((await post({ gateway: 'g', unknown_kid: 1 }, 'wrong-token-0123456789abcdefghijkl')).status).toBe(
      401,
    )
    expect((await post({ gateway: 'g', unknown_kid: 0, clock_skew: 0 })).status).toBe(202)
    expect(() => new RefusalReporter({ authority: authority.url, adminToken: 'x', gateway: 'a b' })).toThrow(
      TypeError,
    )
    expect(
      () =>
        new RefusalReporter({
          authority: authority.url,
          adminToken: 'x',
          gateway: 'a',
          interval: 5,
        } as never),
    ).toThrow('"interval" is not an option of RefusalReporter; did you mean "intervalMs"?')
  })

  test('the gateway CLI settings start a reporter: refusals at the proxy reach the authority', async () => {
    const tokenFile = join(dir.path, 'report-token')
    writeFileSync(tokenFile, `${ADMIN_TOKEN}\n`, { mode: 0o600 })
    const upstream = await startUpstream()
    const argv = [
      '--issuer',
      authority.issuer,
      '--audience',
      AUDIENCE,
      '--upstream',
      upstream.url,
      '--port',
      '0',
      '--allow-insecure-http',
      '--log-level',
      'silent',
      '--report-refusals-to',
      authority.url,
      '--report-token-file',
      tokenFile,
      '--report-name',
      'edge-cli',
    ]
    const settings = parseSettings(readRawSettings(argv, {}), {})
    expect(settings.report).toEqual({
      authority: `${authority.url}/`,
      adminToken: ADMIN_TOKEN,
      gateway: 'edge-cli',
      intervalMs: 30_000,
    })
    expect(() => parseSettings(readRawSettings(argv.slice(0, -4), {}), {})).toThrow(
      'report-token-file: or TESSERA_GATEWAY_REPORT_TOKEN is required with --report-refusals-to',
    )
    const gateway = await startGateway(settings)
    try {
      const { privateKey } = await generateKeyPair('ES256')
      const now = Math.floor(Date.now() / 1000)
      const forged = await signJWT(
        { iss: authority.issuer, aud: AUDIENCE, iat: now, exp: now + 60 },
        privateKey,
        {
          alg: 'ES256',
          kid: 'never-published',
        },
      )
      const response = await fetch(`${gateway.url}/orders`, {
        headers: { authorization: `Bearer ${forged}` },
      })
      expect(response.status).toBe(401)
    } finally {
      // Closing sends what is pending.
      await gateway.close()
      await upstream.close()
    }
    await authority.authority.context.audit.flush()
    const audit = await authority.authority.context.storage.listAudit(50)
    expect(
      audit.filter(
        (event) => event.event === 'gateway.verification_refusals' && event.subject === 'edge-cli',
      ),
    ).toEqual([expect.objectContaining({ detail: JSON.stringify({ unknown_kid: 1, clock_skew: 0 }) })])
  })
})
