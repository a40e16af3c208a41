import { createHash, randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { validateClientMetadata } from '../src/clients/client-metadata.js'
import { createManualClock } from '../src/lib/clock.js'
import {
  ADMIN_TOKEN,
  basic,
  type RunningAuthority,
  registerClient,
  requestToken,
  startAuthority,
  tempDir,
} from './helpers/authority.js'
import { signInByCode } from './helpers/people.js'
import { type SmtpCapture, startSmtpCapture } from './helpers/smtp-capture.js'
import { csrfTokenOf, errorCodeOf, WebClient } from './helpers/web-client.js'

// The protocol refusals, over plain HTTP with exact statuses and error codes.

const dir = tempDir()
const clock = createManualClock()
let smtp: SmtpCapture
let running: RunningAuthority
let issuer: string
const CALLBACK = 'https://app.example/callback'
let counter = 0
const address = (label: string) => `${label}-${++counter}@example.com`

const FORM = { 'content-type': 'application/x-www-form-urlencoded' }
const verifierPair = () => {
  const verifier = randomBytes(32).toString('base64url')
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') }
}

beforeAll(async () => {
  smtp = await startSmtpCapture()
  running = await startAuthority({ dataDir: dir.path, smtpUrl: smtp.url, signinSendLimitIp: 10_000 }, clock)
  issuer = running.url
})
afterAll(async () => {
  await running?.close()
  await smtp?.close()
  dir.remove()
})

async function app(extra: Record<string, unknown> = {}) {
  return registerClient(issuer, {
    client_name: 'Shop <b>&</b>',
    scope: undefined,
    grant_types: ['authorization_code', 'refresh_token'],
    redirect_uris: [CALLBACK],
    tessera_first_party: true,
    ...extra,
  })
}

function authorizePath(clientId: string, params: Record<string, string> = {}) {
  const { challenge } = verifierPair()
  const query = new URLSearchParams({
    client_id: clientId,
    redirect_uri: CALLBACK,
    response_type: 'code',
    scope: 'openid',
    state: 'st-1',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...params,
  })
  for (const [name, value] of Object.entries(params)) if (value === '') query.delete(name)
  return `/oauth/authorize?${query}`
}

/** A browser signed in by typed code. */
async function signedIn(): Promise<{ web: WebClient; email: string }> {
  const web = new WebClient(issuer)
  const email = address('user')
  await signInByCode(web, smtp, email, '/account')
  return { web, email }
}

/** A signed-in browser's authorization, answered with a code for a first-party app. */
async function codeFor(web: WebClient, clientId: string, scope = 'openid') {
  const { verifier, challenge } = verifierPair()
  const answer = await web.get(authorizePath(clientId, { scope, code_challenge: challenge }))
  expect(answer.status).toBe(302)
  const location = new URL(answer.headers.get('location') ?? '')
  return { code: location.searchParams.get('code') ?? '', verifier, location }
}

async function exchange(client: { client_id: string; client_secret: string }, form: Record<string, string>) {
  const response = await fetch(`${issuer}/oauth/token`, {
    method: 'POST',
    headers: { ...FORM, authorization: basic(client.client_id, client.client_secret) },
    body: new URLSearchParams({ grant_type: 'authorization_code', redirect_uri: CALLBACK, ...form }),
  })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

describe('authorization endpoint refusals', () => {
  it('answers an unknown client or an unregistered redirect_uri with an error page, never a redirect', async () => {
    const client = await app()
    const web = new WebClient(issuer)
    for (const path of [
      authorizePath('no-such-client'),
      authorizePath(''),
      authorizePath(client.client_id, { redirect_uri: 'https://evil.example/callback' }),
      authorizePath(client.client_id, { redirect_uri: `${CALLBACK}/..` }),
      authorizePath(client.client_id, { redirect_uri: 'https://app.example:8443/callback' }),
      authorizePath(client.client_id, { redirect_uri: '' }),
    ]) {
      const page = await web.get(path)
      expect([page.status, page.headers.get('location'), errorCodeOf(page.text)]).toEqual([
        400,
        null,
        'bad_request',
      ])
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8')
    }
    // The client's name is escaped wherever a page shows it.
    const { web: browser } = await signedIn()
    const third = await app({ tessera_first_party: undefined })
    const consent = await browser.get(authorizePath(third.client_id))
    expect(consent.text).toContain('Shop &lt;b&gt;&amp;&lt;/b&gt;')
    expect(consent.text).not.toContain('<b>&</b>')
  })

  it('redirects other faults back with error, state and iss (RFC 6749 §4.1.2.1, RFC 9207)', async () => {
    const client = await app()
    const web = new WebClient(issuer)
    const cases: [Record<string, string>, string][] = [
      [{ response_type: 'token' }, 'unsupported_response_type'],
      [{ response_type: '' }, 'unsupported_response_type'],
      [{ code_challenge_method: 'plain' }, 'invalid_request'],
      [{ code_challenge: '', code_challenge_method: '' }, 'invalid_request'],
      [{ code_challenge: 'short' }, 'invalid_request'],
      [{ scope: 'email' }, 'invalid_scope'],
      [{ scope: 'openid admin' }, 'invalid_scope'],
      [{ prompt: 'none' }, 'login_required'],
      [{ prompt: 'none login' }, 'invalid_request'],
      [{ max_age: '-1' }, 'invalid_request'],
      [{ request: 'eyJ9.e30.' }, 'request_not_supported'],
      [{ response_mode: 'fragment' }, 'invalid_request'],
      [{ nonce: 'n'.repeat(300) }, 'invalid_request'],
    ]
    for (const [params, error] of cases) {
      const answer = await web.get(authorizePath(client.client_id, params))
      expect(answer.status).toBe(302)
      const location = new URL(answer.headers.get('location') ?? '')
      expect(`${location.origin}${location.pathname}`).toBe(CALLBACK)
      expect([location.searchParams.get('error'), location.searchParams.get('state')]).toEqual([
        error,
        'st-1',
      ])
      expect(location.searchParams.get('iss')).toBe(issuer)
      expect(location.searchParams.get('code')).toBeNull()
    }
  })

  it('refuses malformed requests with a 4xx page', async () => {
    const client = await app()
    const web = new WebClient(issuer)
    const repeated = await web.get(`${authorizePath(client.client_id)}&scope=openid`)
    expect(repeated.status).toBe(400)
    const huge = await web.get(authorizePath(client.client_id, { nonce: 'x'.repeat(5000) }))
    expect(huge.status).toBe(400)
    const json = await web.request('POST', '/oauth/authorize', {
      body: '{"client_id":"x"}',
      headers: { 'content-type': 'application/json' },
    })
    expect(json.status).toBe(400)
    const junk = await web.get('/oauth/authorize?%ZZ=1&client_id=%00')
    expect(junk.status).toBe(400)
  })

  it('sends a browser that is not signed in to sign-in and back to the same request', async () => {
    const client = await app()
    const web = new WebClient(issuer)
    const path = authorizePath(client.client_id, { prompt: 'login', max_age: '0' })
    const answer = await web.get(path)
    expect(answer.status).toBe(303)
    const returnTo = new URL(answer.headers.get('location') ?? '', issuer).searchParams.get('return_to') ?? ''
    expect(returnTo.startsWith('/oauth/authorize?')).toBe(true)
    // The fresh sign-in it is about to make satisfies prompt=login and max_age: no loop.
    expect(new URLSearchParams(returnTo.split('?')[1]).get('prompt')).toBeNull()
    await signInByCode(web, smtp, address('back'), returnTo)
    const back = await web.get(returnTo)
    expect(back.status).toBe(302)
    expect(new URL(back.headers.get('location') ?? '').searchParams.get('code')).toMatch(
      /^[A-Za-z0-9_-]{43}$/,
    )
  })

  it('continues by page, not by redirect, when the navigation began on one of our forms (CSP form-action)', async () => {
    const client = await app()
    const { web } = await signedIn()
    const answer = await web.get(authorizePath(client.client_id), { 'sec-fetch-site': 'same-origin' })
    expect(answer.status).toBe(200)
    const refresh = /<meta http-equiv="refresh" content="0;url=([^"]+)">/.exec(answer.text)?.[1] ?? ''
    const target = new URL(refresh.replaceAll('&amp;', '&'))
    expect(`${target.origin}${target.pathname}`).toBe(CALLBACK)
    expect(target.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(answer.headers.get('referrer-policy')).toBe('no-referrer')
    expect(answer.headers.get('cache-control')).toBe('no-store')
  })
})

describe('code grant refusals', () => {
  it('refuses a wrong verifier, and the code is spent even for the right one afterwards', async () => {
    const client = await app()
    const { web } = await signedIn()
    const { code, verifier } = await codeFor(web, client.client_id)
    const wrong = await exchange(client, { code, code_verifier: verifierPair().verifier })
    expect([wrong.status, wrong.body.error]).toEqual([400, 'invalid_grant'])
    const late = await exchange(client, { code, code_verifier: verifier })
    expect([late.status, late.body.error]).toEqual([400, 'invalid_grant'])
    const again = await codeFor(web, client.client_id)
    for (const form of [
      { code: again.code },
      { code: again.code, code_verifier: 'short' },
      { code: again.code, code_verifier: again.verifier, redirect_uri: `${CALLBACK}x` },
    ]) {
      const refused = await exchange(client, form)
      expect(refused.status).toBe(400)
      expect(['invalid_request', 'invalid_grant']).toContain(refused.body.error)
    }
  })

  it('refuses a replayed code and revokes the tokens it issued (RFC 6749 §4.1.2)', async () => {
    const client = await app()
    const { web } = await signedIn()
    const { code, verifier } = await codeFor(web, client.client_id, 'openid offline_access')
    const first = await exchange(client, { code, code_verifier: verifier })
    expect(first.status).toBe(200)
    expect(first.body).toMatchObject({ token_type: 'Bearer', scope: 'openid offline_access' })
    const accessToken = first.body.access_token as string
    const userinfo = () =>
      fetch(`${issuer}/oauth/userinfo`, { headers: { authorization: `Bearer ${accessToken}` } })
    expect((await userinfo()).status).toBe(200)
    const replay = await exchange(client, { code, code_verifier: verifier })
    expect([replay.status, replay.body.error]).toEqual([400, 'invalid_grant'])
    expect((await userinfo()).status).toBe(401)
    const introspected = await fetch(`${issuer}/oauth/introspect`, {
      method: 'POST',
      headers: { ...FORM, authorization: basic(client.client_id, client.client_secret) },
      body: new URLSearchParams({ token: accessToken }),
    })
    expect(await introspected.json()).toEqual({ active: false })
    const refresh = await fetch(`${issuer}/oauth/token`, {
      method: 'POST',
      headers: { ...FORM, authorization: basic(client.client_id, client.client_secret) },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: first.body.refresh_token as string,
      }),
    })
    expect([refresh.status, ((await refresh.json()) as { error: string }).error]).toEqual([
      400,
      'invalid_grant',
    ])
  })

  it('binds the code to its client, and refuses a confidential client naming only its client_id', async () => {
    const client = await app()
    const other = await app()
    const { web } = await signedIn()
    const { code, verifier } = await codeFor(web, client.client_id)
    const stolen = await exchange(other, { code, code_verifier: verifier })
    expect([stolen.status, stolen.body.error]).toEqual([400, 'invalid_grant'])
    const again = await codeFor(web, client.client_id)
    const bare = await fetch(`${issuer}/oauth/token`, {
      method: 'POST',
      headers: FORM,
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: client.client_id,
        code: again.code,
        code_verifier: again.verifier,
        redirect_uri: CALLBACK,
      }),
    })
    expect(bare.status).toBe(401)
    expect(((await bare.json()) as { error: string }).error).toBe('invalid_client')
  })
})

describe('consent for apps that are not first-party', () => {
  it('asks, remembers per user and client, lists on the account page and can be revoked', async () => {
    const third = await app({ tessera_first_party: undefined, client_name: 'Third Party' })
    const { web } = await signedIn()
    const page = await web.get(authorizePath(third.client_id, { scope: 'openid email offline_access' }))
    expect(page.status).toBe(200)
    expect(page.text).toContain('Third Party')
    expect(page.text).toContain('See your email address')
    const fields = Object.fromEntries(
      [...page.text.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [
        m[1],
        (m[2] as string).replaceAll('&amp;', '&'),
      ]),
    ) as Record<string, string>
    // A forged decision (no CSRF token) changes nothing.
    const { csrf_token: _csrf, ...withoutToken } = fields
    const forged = await web.post('/oauth/authorize/consent', { ...withoutToken, decision: 'allow' })
    expect(forged.status).toBe(403)
    const crossSite = await web.post(
      '/oauth/authorize/consent',
      { ...fields, decision: 'allow' },
      { origin: 'https://evil.example' },
    )
    expect(crossSite.status).toBe(403)
    const denied = await web.post('/oauth/authorize/consent', { ...fields, decision: 'deny' })
    expect(denied.status).toBe(303)
    expect(new URL(denied.headers.get('location') ?? '').searchParams.get('error')).toBe('access_denied')
    const allowed = await web.post('/oauth/authorize/consent', { ...fields, decision: 'allow' })
    expect(allowed.status).toBe(303)
    const code = new URL(allowed.headers.get('location') ?? '').searchParams.get('code')
    expect(code).toMatch(/^[A-Za-z0-9_-]{43}$/)
    // Remembered: the same request (or a narrower one) goes straight through.
    expect((await web.get(authorizePath(third.client_id, { scope: 'openid email' }))).status).toBe(302)
    // prompt=none for a scope not consented to is consent_required.
    const wider = await web.get(authorizePath(third.client_id, { scope: 'openid profile', prompt: 'none' }))
    expect(new URL(wider.headers.get('location') ?? '').searchParams.get('error')).toBe('consent_required')

    const account = await web.get('/account')
    expect(account.text).toContain(`data-app="${third.client_id}"`)
    const csrf = csrfTokenOf(account.text)
    const revoked = await web.post('/account/apps/revoke', { csrf_token: csrf, client_id: third.client_id })
    expect([revoked.status, revoked.headers.get('location')]).toEqual([303, '/account'])
    expect((await web.get('/account')).text).not.toContain(`data-app="${third.client_id}"`)
    expect((await web.get(authorizePath(third.client_id, { scope: 'openid email' }))).status).toBe(200)
  })

  it('refuses the first-party mark from anything but an administrator', async () => {
    expect(() =>
      validateClientMetadata({
        grant_types: ['authorization_code'],
        redirect_uris: [CALLBACK],
        tessera_first_party: true,
      }),
    ).toThrow(/administrator/)
    const anonymous = await fetch(`${issuer}/oauth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ redirect_uris: [CALLBACK], tessera_first_party: true }),
    })
    expect(anonymous.status).toBe(401)
  })
})

describe('registration of apps', () => {
  it('validates redirect_uris, response_types, grant_types and post_logout_redirect_uris', async () => {
    const register = (body: Record<string, unknown>) =>
      fetch(`${issuer}/oauth/register`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then(async (response) => [response.status, ((await response.json()) as { error: string }).error])
    for (const uri of [
      'javascript:alert(1)',
      'http://app.example/cb',
      'https://app.example/cb#x',
      'https://user:pw@app.example/cb',
      'data:text/html,x',
      'relative/cb',
      'myapp:/cb',
    ]) {
      expect(await register({ redirect_uris: [uri] })).toEqual([400, 'invalid_redirect_uri'])
    }
    expect(await register({ redirect_uris: [] })).toEqual([400, 'invalid_client_metadata'])
    expect(await register({ redirect_uris: [CALLBACK], response_types: ['token'] })).toEqual([
      400,
      'invalid_client_metadata',
    ])
    expect(await register({ grant_types: ['authorization_code'] })).toEqual([400, 'invalid_client_metadata'])
    expect(await register({ redirect_uris: [CALLBACK], grant_types: ['client_credentials'] })).toEqual([
      400,
      'invalid_client_metadata',
    ])
    expect(
      await register({ redirect_uris: [CALLBACK], post_logout_redirect_uris: ['http://evil.example/'] }),
    ).toEqual([400, 'invalid_client_metadata'])
    const ok = await registerClient(issuer, {
      scope: undefined,
      redirect_uris: [CALLBACK, 'com.example.app:/oauth2redirect'],
    })
    expect(ok).toMatchObject({ grant_types: ['authorization_code'], response_types: ['code'] })
    expect(ok.tessera_first_party).toBeUndefined()
  })
})

describe('userinfo bearer rules (RFC 6750)', () => {
  it('challenges missing, malformed and invalid tokens, and tokens without openid', async () => {
    const none = await fetch(`${issuer}/oauth/userinfo`)
    expect([none.status, none.headers.get('www-authenticate')]).toEqual([401, 'Bearer realm="tessera"'])
    const bad = await fetch(`${issuer}/oauth/userinfo`, { headers: { authorization: 'Bearer abc.def.ghi' } })
    expect([bad.status, bad.headers.get('www-authenticate')]).toEqual([
      401,
      'Bearer realm="tessera", error="invalid_token"',
    ])
    const malformed = await fetch(`${issuer}/oauth/userinfo`, { headers: { authorization: 'Basic xyz' } })
    expect(malformed.status).toBe(400)
    const machine = await registerClient(issuer)
    const machineToken = (await requestToken(issuer, machine)).body.access_token as string
    const noOpenid = await fetch(`${issuer}/oauth/userinfo`, {
      headers: { authorization: `Bearer ${machineToken}` },
    })
    expect(noOpenid.status).toBe(403)
    expect(noOpenid.headers.get('www-authenticate')).toContain('error="insufficient_scope"')
    // POST with the token in the form body (§2.2) works; both at once is refused.
    const client = await app()
    const { web, email } = await signedIn()
    const { code, verifier } = await codeFor(web, client.client_id, 'openid email')
    const token = (await exchange(client, { code, code_verifier: verifier })).body.access_token as string
    const posted = await fetch(`${issuer}/oauth/userinfo`, {
      method: 'POST',
      headers: FORM,
      body: new URLSearchParams({ access_token: token }),
    })
    expect(((await posted.json()) as { email: string }).email).toBe(email)
    const both = await fetch(`${issuer}/oauth/userinfo`, {
      method: 'POST',
      headers: { ...FORM, authorization: `Bearer ${token}` },
      body: new URLSearchParams({ access_token: token }),
    })
    expect(both.status).toBe(400)
  })
})

describe('hostile input at the OpenID Connect endpoints', () => {
  it('answers odd queries, bodies and cookies with a 4xx (or a redirect), never a 5xx', async () => {
    const client = await app()
    const { web } = await signedIn()
    const paths = [
      '/oauth/authorize',
      '/oauth/authorize/consent',
      '/oauth/logout',
      '/oauth/logout/confirm',
      '/oauth/userinfo',
      '/account/apps/revoke',
      '/oauth/token',
    ]
    const queries = [
      '',
      `client_id=${client.client_id}&redirect_uri=%00`,
      `client_id=${client.client_id}&redirect_uri=${encodeURIComponent(CALLBACK)}&response_type=code&scope=%FF%FE&state=${'s'.repeat(600)}`,
      `client_id=${client.client_id}&redirect_uri=${encodeURIComponent(CALLBACK)}&max_age=99999999999999&prompt=%00`,
      'id_token_hint=e30.e30.e30&post_logout_redirect_uri=javascript:alert(1)',
      'id_token_hint=eyJhbGciOiJub25lIn0.eyJpYXQiOiJ4In0.&client_id=%00',
      'client_id[]=x&client_id=y',
      '%%%%&&&==',
    ]
    const bodies = [
      [
        'application/x-www-form-urlencoded',
        'grant_type=authorization_code&code=%00&code_verifier=x&redirect_uri=y',
      ],
      ['application/x-www-form-urlencoded', `decision=allow&client_id=${client.client_id}&csrf_token=x`],
      ['application/x-www-form-urlencoded', 'access_token=a.b.c&client_id=x&x=1&x=2'],
      ['application/json', '{"client_id":{"$ne":1},"access_token":[1]}'],
      ['text/plain', 'x'.repeat(9000)],
    ] as const
    const browsers = [new WebClient(issuer), web]
    let requests = 0
    for (const path of paths) {
      for (const browser of browsers) {
        for (const query of queries) {
          const answer = await browser.get(`${path}?${query}`)
          requests++
          expect(answer.status, `GET ${path}?${query}`).toBeLessThan(500)
        }
        for (const [type, body] of bodies) {
          const answer = await browser.request('POST', path, {
            body,
            headers: { 'content-type': type, origin: issuer, 'sec-fetch-site': 'same-origin' },
          })
          requests++
          expect(answer.status, `POST ${path} ${body.slice(0, 40)}`).toBeLessThan(500)
        }
      }
    }
    expect(requests).toBe(paths.length * browsers.length * (queries.length + bodies.length))
  })
})

describe('bound to the browser session', () => {
  it('refuses a code whose sign-in has ended since, and refresh tokens past the session timeout', async () => {
    const client = await app()
    const { web } = await signedIn()
    const { code, verifier } = await codeFor(web, client.client_id)
    const account = await web.get('/account')
    expect((await web.post('/signout', { csrf_token: csrfTokenOf(account.text) })).status).toBe(303)
    const late = await exchange(client, { code, code_verifier: verifier })
    expect([late.status, late.body.error]).toEqual([400, 'invalid_grant'])

    const other = await signedIn()
    const grant = await codeFor(other.web, client.client_id, 'openid offline_access')
    const tokens = await exchange(client, { code: grant.code, code_verifier: grant.verifier })
    const refresh = (token: string) =>
      fetch(`${issuer}/oauth/token`, {
        method: 'POST',
        headers: { ...FORM, authorization: basic(client.client_id, client.client_secret) },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: token }),
      }).then(async (response) => ({
        status: response.status,
        body: (await response.json()) as Record<string, string>,
      }))
    const first = await refresh(tokens.body.refresh_token as string)
    expect(first.status).toBe(200)
    // Three days unseen: the browser session has timed out, and the app's refresh token with it.
    clock.advance(3 * 86_400_000 + 60_000)
    const expired = await refresh(first.body.refresh_token as string)
    expect([expired.status, expired.body.error]).toEqual([400, 'invalid_grant'])
  })
})

describe('code lifetime', () => {
  it('refuses a code presented after its 60 seconds', async () => {
    const client = await app()
    const { web } = await signedIn()
    const { code, verifier } = await codeFor(web, client.client_id)
    clock.advance(61_000)
    const late = await exchange(client, { code, code_verifier: verifier })
    expect([late.status, late.body.error]).toEqual([400, 'invalid_grant'])
  })
})
