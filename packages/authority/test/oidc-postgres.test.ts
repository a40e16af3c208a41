import * as oidc from 'openid-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { basic, type RunningAuthority, registerClient, startAuthority, tempDir } from './helpers/authority.js'
import { discover, startAuthorization, visitAuthorization } from './helpers/oidc.js'
import { createDatabase } from './helpers/postgres.js'
import { type SmtpCapture, startSmtpCapture } from './helpers/smtp-capture.js'
import { csrfTokenOf, WebClient } from './helpers/web-client.js'

// The same OpenID Connect flow on PostgreSQL: codes, consents and session-bound refresh families
// behave as on SQLite (the storage contract suite checks each method on both).

const dir = tempDir()
let smtp: SmtpCapture
let running: RunningAuthority
const RP = 'http://127.0.0.1:9/pg'

beforeAll(async () => {
  smtp = await startSmtpCapture()
  running = await startAuthority({
    dataDir: dir.path,
    databaseUrl: await createDatabase(),
    smtpUrl: smtp.url,
    signinSendLimitIp: 10_000,
  })
})
afterAll(async () => {
  await running?.close()
  await smtp?.close()
  dir.remove()
})

describe('OpenID Connect on PostgreSQL', () => {
  it('consents, exchanges once, rotates, detects reuse, and revokes with the session', async () => {
    const issuer = running.url
    const app = await registerClient(issuer, {
      client_name: 'PG App',
      scope: undefined,
      grant_types: ['authorization_code', 'refresh_token'],
      redirect_uris: [`${RP}/cb`],
    })
    const config = await discover(issuer, app.client_id, app.client_secret)
    const web = new WebClient(issuer)
    const attempt = await startAuthorization(config, `${RP}/cb`, 'openid email offline_access')
    const consent = await visitAuthorization(web, smtp, attempt.url, 'pg-user@example.com')
    expect(consent.status).toBe(200)
    const fields = Object.fromEntries(
      [...consent.text.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [
        m[1],
        m[2],
      ]),
    ) as Record<string, string>
    const allowed = await web.post('/oauth/authorize/consent', { ...fields, decision: 'allow' })
    const callback = new URL(allowed.headers.get('location') ?? '')
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: attempt.verifier,
      expectedState: attempt.state,
      expectedNonce: attempt.nonce,
      idTokenExpected: true,
    })
    expect(tokens.claims()?.amr).toEqual(['otp'])
    // The code again: refused, and the first exchange's refresh token is revoked with it.
    const replay = await fetch(`${issuer}/oauth/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: basic(app.client_id, app.client_secret),
      },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: callback.searchParams.get('code') ?? '',
        redirect_uri: `${RP}/cb`,
        code_verifier: attempt.verifier,
      }),
    })
    expect(replay.status).toBe(400)
    const revoked = await oidc
      .refreshTokenGrant(config, tokens.refresh_token as string)
      .catch((error) => error)
    expect(revoked.error).toBe('invalid_grant')

    // A second sign-in of the same app: remembered consent, rotation and reuse detection.
    const second = await startAuthorization(config, `${RP}/cb`, 'openid offline_access')
    const answer = await web.get(`${second.url.pathname}${second.url.search}`)
    expect(answer.status).toBe(302)
    const fresh = await oidc.authorizationCodeGrant(config, new URL(answer.headers.get('location') ?? ''), {
      pkceCodeVerifier: second.verifier,
      expectedState: second.state,
      expectedNonce: second.nonce,
    })
    const rotated = await oidc.refreshTokenGrant(config, fresh.refresh_token as string)
    const reuse = await oidc.refreshTokenGrant(config, fresh.refresh_token as string).catch((error) => error)
    expect(reuse.error).toBe('invalid_grant')
    const dead = await oidc.refreshTokenGrant(config, rotated.refresh_token as string).catch((error) => error)
    expect(dead.error).toBe('invalid_grant')

    // A third one, then sign out on the account page: the session's family goes with it.
    const third = await startAuthorization(config, `${RP}/cb`, 'openid offline_access')
    const again = await web.get(`${third.url.pathname}${third.url.search}`)
    const last = await oidc.authorizationCodeGrant(config, new URL(again.headers.get('location') ?? ''), {
      pkceCodeVerifier: third.verifier,
      expectedState: third.state,
      expectedNonce: third.nonce,
    })
    const account = await web.get('/account')
    expect(account.text).toContain('PG App')
    const out = await web.post('/signout', { csrf_token: csrfTokenOf(account.text) })
    expect(out.status).toBe(303)
    const after = await oidc.refreshTokenGrant(config, last.refresh_token as string).catch((error) => error)
    expect(after.error).toBe('invalid_grant')
  })
})
