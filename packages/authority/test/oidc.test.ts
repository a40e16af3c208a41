import * as oidc from 'openid-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  ADMIN_TOKEN,
  type RunningAuthority,
  registerClient,
  startAuthority,
  tempDir,
} from './helpers/authority.js'
import { discover, startAuthorization, visitAuthorization } from './helpers/oidc.js'
import { type SmtpCapture, startSmtpCapture } from './helpers/smtp-capture.js'
import { csrfTokenOf, WebClient } from './helpers/web-client.js'

// openid-client v6 is the relying party: discovery, code + PKCE, ID token validation, userinfo,
// refresh rotation and reuse detection, RP-initiated logout — through the real sign-in pages.

const dir = tempDir()
let smtp: SmtpCapture
let running: RunningAuthority
let issuer: string
const RP = 'http://127.0.0.1:9/rp'
let counter = 0
const address = (label: string) => `${label}-${++counter}@example.com`

beforeAll(async () => {
  smtp = await startSmtpCapture()
  running = await startAuthority({ dataDir: dir.path, smtpUrl: smtp.url, signinSendLimitIp: 10_000 })
  issuer = running.url
})
afterAll(async () => {
  await running?.close()
  await smtp?.close()
  dir.remove()
})

async function firstPartyApp() {
  return registerClient(issuer, {
    client_name: 'Tessera Notes',
    scope: undefined,
    grant_types: ['authorization_code', 'refresh_token'],
    redirect_uris: [`${RP}/callback`],
    post_logout_redirect_uris: [`${RP}/signed-out`],
    tessera_first_party: true,
  })
}

describe('OpenID Connect with openid-client as the relying party', () => {
  it('discovers a document that states what the server does', async () => {
    const app = await firstPartyApp()
    const config = await discover(issuer, app.client_id, app.client_secret)
    const metadata = config.serverMetadata()
    expect(metadata).toMatchObject({
      issuer,
      authorization_endpoint: `${issuer}/oauth/authorize`,
      token_endpoint: `${issuer}/oauth/token`,
      userinfo_endpoint: `${issuer}/oauth/userinfo`,
      end_session_endpoint: `${issuer}/oauth/logout`,
      jwks_uri: `${issuer}/.well-known/jwks.json`,
      response_types_supported: ['code'],
      code_challenge_methods_supported: ['S256'],
      id_token_signing_alg_values_supported: ['ES256'],
      subject_types_supported: ['public'],
      authorization_response_iss_parameter_supported: true,
      scopes_supported: ['openid', 'email', 'profile', 'offline_access'],
    })
    // Public clients ("none") may use the token and revocation endpoints, never introspection.
    expect(metadata.token_endpoint_auth_methods_supported).toContain('none')
    expect(metadata.revocation_endpoint_auth_methods_supported).toContain('none')
    expect(metadata.introspection_endpoint_auth_methods_supported).not.toContain('none')
    expect(metadata.claims_supported).toEqual(
      expect.arrayContaining(['sub', 'email', 'auth_time', 'amr', 'nonce']),
    )
  })

  it('signs in by code + PKCE, validates the ID token, reads userinfo, rotates refresh tokens and detects reuse', async () => {
    const app = await firstPartyApp()
    const config = await discover(issuer, app.client_id, app.client_secret)
    const attempt = await startAuthorization(config, `${RP}/callback`, 'openid email offline_access')
    const web = new WebClient(issuer)
    const email = address('rp')
    const answer = await visitAuthorization(web, smtp, attempt.url, email)
    expect(answer.status).toBe(302)
    const callback = new URL(answer.headers.get('location') ?? '')
    expect(`${callback.origin}${callback.pathname}`).toBe(`${RP}/callback`)
    // RFC 9207: the response names the issuer; state comes back unchanged.
    expect(callback.searchParams.get('iss')).toBe(issuer)
    expect(callback.searchParams.get('state')).toBe(attempt.state)

    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: attempt.verifier,
      expectedState: attempt.state,
      expectedNonce: attempt.nonce,
      idTokenExpected: true,
    })
    const claims = tokens.claims()
    const user = await running.authority.context.users.findByEmail(email)
    expect(claims).toMatchObject({
      iss: issuer,
      sub: user?.id,
      aud: app.client_id,
      nonce: attempt.nonce,
      amr: ['otp'],
    })
    expect(claims?.auth_time).toBeTypeOf('number')
    expect(claims?.at_hash).toBeTypeOf('string')
    expect(tokens.scope).toBe('openid email offline_access')
    expect(tokens.refresh_token).toMatch(/^[A-Za-z0-9_-]{43}$/)

    const info = await oidc.fetchUserInfo(config, tokens.access_token, claims?.sub as string)
    expect(info).toEqual({ sub: user?.id, email, email_verified: true })

    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token as string)
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token)
    expect(refreshed.claims()).toMatchObject({
      sub: user?.id,
      aud: app.client_id,
      auth_time: claims?.auth_time,
    })
    // The first refresh token again: reuse, and the whole family dies with it.
    const reuse = await oidc.refreshTokenGrant(config, tokens.refresh_token as string).catch((error) => error)
    expect(reuse).toBeInstanceOf(oidc.ResponseBodyError)
    expect([reuse.status, reuse.error]).toEqual([400, 'invalid_grant'])
    const after = await oidc
      .refreshTokenGrant(config, refreshed.refresh_token as string)
      .catch((error) => error)
    expect([after.status, after.error]).toEqual([400, 'invalid_grant'])
  })

  it('refuses a tampered state and a callback without the right issuer (the RP checks them)', async () => {
    const app = await firstPartyApp()
    const config = await discover(issuer, app.client_id, app.client_secret)
    const attempt = await startAuthorization(config, `${RP}/callback`, 'openid')
    const web = new WebClient(issuer)
    const answer = await visitAuthorization(web, smtp, attempt.url, address('state'))
    const callback = new URL(answer.headers.get('location') ?? '')
    const tampered = new URL(callback)
    tampered.searchParams.set('state', `${attempt.state}x`)
    const refused = await oidc
      .authorizationCodeGrant(config, tampered, {
        pkceCodeVerifier: attempt.verifier,
        expectedState: attempt.state,
      })
      .catch((error) => error)
    expect(refused).toBeInstanceOf(Error)
    expect(refused.code).toBe('OAUTH_INVALID_RESPONSE')
    const wrongIssuer = new URL(callback)
    wrongIssuer.searchParams.set('iss', 'http://127.0.0.1:1')
    const mixUp = await oidc
      .authorizationCodeGrant(config, wrongIssuer, {
        pkceCodeVerifier: attempt.verifier,
        expectedState: attempt.state,
      })
      .catch((error) => error)
    expect(mixUp.code).toBe('OAUTH_INVALID_RESPONSE')
    // The genuine callback still works: the RP refused before the code was ever sent.
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: attempt.verifier,
      expectedState: attempt.state,
      expectedNonce: attempt.nonce,
    })
    expect(tokens.access_token).toBeTypeOf('string')
  })

  it('logs out from the app: confirm page, session ended, refresh family revoked, back with state', async () => {
    const app = await firstPartyApp()
    const config = await discover(issuer, app.client_id, app.client_secret)
    const attempt = await startAuthorization(config, `${RP}/callback`, 'openid offline_access')
    const web = new WebClient(issuer)
    const answer = await visitAuthorization(web, smtp, attempt.url, address('logout'))
    const tokens = await oidc.authorizationCodeGrant(config, new URL(answer.headers.get('location') ?? ''), {
      pkceCodeVerifier: attempt.verifier,
      expectedState: attempt.state,
      expectedNonce: attempt.nonce,
    })
    const logoutUrl = oidc.buildEndSessionUrl(config, {
      id_token_hint: tokens.id_token as string,
      post_logout_redirect_uri: `${RP}/signed-out`,
      state: 'bye-1',
    })
    const confirm = await web.get(`${logoutUrl.pathname}${logoutUrl.search}`)
    expect(confirm.status).toBe(200)
    expect(confirm.text).toContain('Tessera Notes')
    // The confirm form's redirect to the app must be allowed by the page's CSP.
    expect(confirm.headers.get('content-security-policy')).toContain("form-action 'self' http://127.0.0.1:9")
    // Without the CSRF token nothing is ended.
    const forged = await web.post('/oauth/logout/confirm', {
      client_id: app.client_id,
      post_logout_redirect_uri: `${RP}/signed-out`,
    })
    expect(forged.status).toBe(403)
    expect((await web.get('/account')).status).toBe(200)
    const form = Object.fromEntries(
      [...confirm.text.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [
        m[1],
        m[2],
      ]),
    ) as Record<string, string>
    const done = await web.post('/oauth/logout/confirm', { ...form, csrf_token: csrfTokenOf(confirm.text) })
    expect(done.status).toBe(303)
    expect(done.headers.get('location')).toBe(`${RP}/signed-out?state=bye-1`)
    expect(done.headers.get('clear-site-data')).toBe('"cookies"')
    expect((await web.get('/account')).status).toBe(303)
    const refresh = await oidc
      .refreshTokenGrant(config, tokens.refresh_token as string)
      .catch((error) => error)
    expect([refresh.status, refresh.error]).toEqual([400, 'invalid_grant'])
  })

  it('refuses a post-logout redirect the client did not register, with a page and no redirect', async () => {
    const app = await firstPartyApp()
    const web = new WebClient(issuer)
    const page = await web.get(
      `/oauth/logout?client_id=${app.client_id}&post_logout_redirect_uri=${encodeURIComponent('https://evil.example/')}`,
    )
    expect(page.status).toBe(400)
    expect(page.headers.get('location')).toBeNull()
    const bad = await web.get('/oauth/logout?id_token_hint=not.a.jwt')
    expect(bad.status).toBe(400)
  })

  it('serves a native public client on any loopback port, without a secret', async () => {
    const app = await registerClient(issuer, {
      client_name: 'Desktop',
      scope: undefined,
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      redirect_uris: ['http://127.0.0.1/oauth-callback', 'http://[::1]/oauth-callback'],
      tessera_first_party: true,
    })
    expect(app.client_secret).toBeUndefined()
    const config = await discover(issuer, app.client_id, undefined)
    const web = new WebClient(issuer)
    const email = address('native')
    for (const redirect of ['http://127.0.0.1:53682/oauth-callback', 'http://[::1]:61000/oauth-callback']) {
      const attempt = await startAuthorization(config, redirect, 'openid offline_access')
      const answer = await visitAuthorization(web, smtp, attempt.url, email)
      const location = answer.headers.get('location') ?? ''
      expect(location.startsWith(`${redirect}?code=`)).toBe(true)
      const tokens = await oidc.authorizationCodeGrant(config, new URL(location), {
        pkceCodeVerifier: attempt.verifier,
        expectedState: attempt.state,
        expectedNonce: attempt.nonce,
      })
      expect(tokens.refresh_token).toBeTypeOf('string')
      const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token as string)
      expect(refreshed.access_token).toBeTypeOf('string')
    }
    // A public client cannot use client credentials, and the loopback rule is only for IP literals.
    const other = await fetch(`${issuer}/oauth/register`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ token_endpoint_auth_method: 'none', grant_types: ['client_credentials'] }),
    })
    expect([other.status, ((await other.json()) as { error: string }).error]).toEqual([
      400,
      'invalid_client_metadata',
    ])
  })
})
