import { createServer, type Server } from 'node:http'
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { BFF_DEFAULTS } from '../src/bff/settings.js'
import { parseRoutes } from '../src/index.js'
import { freePort } from './helpers/authority.js'
import { launchBrowser } from './helpers/browser.js'
import { gatewaySettings, startGateway } from './helpers/gateway.js'
import { type SignInAuthority, startSignInAuthority } from './helpers/sign-in-authority.js'
import { startUpstream, type TestUpstream } from './helpers/upstream.js'

const AUDIENCE = 'https://api.example/orders'
const CSRF = { 'x-tessera-csrf': '1' }
const EMAIL = 'alice@example.com'

let authority: SignInAuthority
let upstream: TestUpstream
let gateway: Awaited<ReturnType<typeof startGateway>>
let browser: Awaited<ReturnType<typeof launchBrowser>>
let context: BrowserContext
let page: Page
let origin: string
/** The user's opaque id at the authority, learnt from /bff/user. */
let subject = ''
let elsewhere: { url: string; server: Server }

beforeAll(async () => {
  const port = await freePort()
  origin = `http://127.0.0.1:${port}`
  authority = await startSignInAuthority({
    redirectUri: `${origin}/bff/callback`,
    postLogoutRedirectUri: `${origin}/app`,
    audience: AUDIENCE,
    scope: 'orders:read',
    accessTokenLifetimeSeconds: 120,
  })
  upstream = await startUpstream()
  gateway = await startGateway(
    gatewaySettings({
      issuer: authority.issuer,
      upstream: upstream.url,
      audience: [AUDIENCE],
      typ: 'at+jwt',
      port,
      routes: parseRoutes([
        { prefix: '/app', public: true },
        { methods: ['GET'], prefix: '/orders', scopes: ['orders:read'] },
      ]),
      bff: {
        ...BFF_DEFAULTS,
        clientId: authority.clientId,
        clientSecret: authority.clientSecret,
        publicOrigin: origin,
        scope: 'openid orders:read offline_access',
        resource: AUDIENCE,
        postLogoutPath: '/app',
        // Tokens live 120 s; refreshing when less than 119 s are left makes the second call refresh.
        refreshBeforeExpiryMs: 119_000,
      },
    }),
  )
  // Another site (localhost, another port) whose page tries to use the signed-in session.
  const elsewherePort = await freePort()
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>elsewhere</title>')
  })
  await new Promise<void>((resolve) => server.listen(elsewherePort, '127.0.0.1', resolve))
  elsewhere = { url: `http://localhost:${elsewherePort}`, server }
  browser = await launchBrowser()
  context = browser.context
  page = await context.newPage()
})

afterAll(async () => {
  await browser?.close()
  await gateway?.close()
  await upstream?.close()
  await authority?.close()
  elsewhere?.server.close()
})

/** fetch from the app's own page JavaScript: same origin, the cookie rides along by itself. */
function callFromPage(path: string, headers: Record<string, string>) {
  return page.evaluate(
    async ({ path, headers }) => {
      const response = await fetch(path, { headers })
      return { status: response.status, body: await response.text() }
    },
    { path, headers },
  )
}

describe('BFF in Chromium', () => {
  test("sign in through the authority's pages; the browser holds only a __Host- cookie", async () => {
    await page.goto(`${origin}/bff/login?return_to=/app`)
    await page.waitForURL((url) => url.origin === authority.issuer)
    await authority.signIn(page, EMAIL)
    await page.waitForURL(`${origin}/app`)
    const cookies = await context.cookies(origin)
    const session = cookies.find((cookie) => cookie.name === '__Host-tessera-session')
    expect(session).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict', path: '/' })
    expect(cookies.some((cookie) => cookie.name === '__Host-tessera-login' && cookie.value !== '')).toBe(
      false,
    )
    // The page cannot see it, and no token is anywhere the browser can read.
    expect(await page.evaluate('document.cookie')).toBe('')
    expect(session?.value.split('.')).toHaveLength(1)
  })

  test('/bff/user shows the signed-in user', async () => {
    const user = await callFromPage('/bff/user', CSRF)
    expect(user.status).toBe(200)
    const { claims } = JSON.parse(user.body)
    expect(claims).toMatchObject({ iss: authority.issuer, aud: authority.clientId, amr: ['otp'] })
    expect(claims.sub).toMatch(/^usr_[\w-]{16,}$/)
    subject = claims.sub
  })

  test('an API call from page JavaScript reaches the upstream with the bearer token and the identity', async () => {
    const before = upstream.seen.length
    const answer = await callFromPage('/orders/1', CSRF)
    expect(answer.status).toBe(200)
    const seen = upstream.seen.slice(before).find((request) => request.url === '/orders/1')
    const bearer = seen?.headers.authorization ?? ''
    expect(bearer).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/)
    const claims = JSON.parse(Buffer.from(bearer.split('.')[1] ?? '', 'base64url').toString())
    expect(claims).toMatchObject({
      iss: authority.issuer,
      sub: subject,
      aud: AUDIENCE,
      client_id: authority.clientId,
      scope: 'openid orders:read offline_access',
    })
    expect(seen?.headers['x-tessera-subject']).toBe(subject)
    expect(seen?.headers['x-tessera-client-id']).toBe(authority.clientId)
    // The session cookie stays at the gateway.
    expect(seen?.headers.cookie ?? '').not.toContain('__Host-tessera-session')
  })

  test('the gateway refreshes the access token before it expires', async () => {
    const tokenOf = async () => {
      const before = upstream.seen.length
      expect((await callFromPage('/orders/2', CSRF)).status).toBe(200)
      return upstream.seen.slice(before).find((request) => request.url === '/orders/2')?.headers.authorization
    }
    const first = await tokenOf()
    await new Promise((resolve) => setTimeout(resolve, 1100))
    const second = await tokenOf()
    expect(second).toBeDefined()
    expect(second).not.toBe(first)
  })

  test('an API call without the CSRF header is refused', async () => {
    const answer = await callFromPage('/orders/3', {})
    expect(answer.status).toBe(403)
    expect(JSON.parse(answer.body)).toEqual({
      error: 'invalid_request',
      error_description: 'cross-site or unmarked request refused',
    })
  })

  test('a cross-site page cannot use the session', async () => {
    const other = await context.newPage()
    await other.goto(elsewhere.url)
    const before = upstream.seen.length
    const outcome = await other.evaluate(async (target) => {
      const results: string[] = []
      try {
        const response = await fetch(target, { credentials: 'include', headers: { 'x-tessera-csrf': '1' } })
        results.push(`cors:${response.status}`)
      } catch {
        results.push('cors:blocked')
      }
      const simple = await fetch(target, { credentials: 'include', mode: 'no-cors' })
      results.push(`no-cors:${simple.type}`)
      return results
    }, `${origin}/orders/4`)
    await other.close()
    expect(outcome).toEqual(['cors:blocked', 'no-cors:opaque'])
    expect(upstream.seen.slice(before).filter((request) => request.url === '/orders/4')).toEqual([])
  })

  test('with the stolen cookie, a cross-site request is still refused by Sec-Fetch-Site and Origin', async () => {
    const session = (await context.cookies(origin)).find((cookie) => cookie.name === '__Host-tessera-session')
    const cookie = `__Host-tessera-session=${session?.value}`
    const crossSite = await fetch(`${origin}/orders/5`, {
      headers: { cookie, ...CSRF, 'sec-fetch-site': 'cross-site' },
    })
    expect(crossSite.status).toBe(403)
    const foreignOrigin = await fetch(`${origin}/orders/5`, {
      headers: { cookie, ...CSRF, origin: elsewhere.url },
    })
    expect(foreignOrigin.status).toBe(403)
    // The same request marked same-origin passes: the checks, not the cookie, made the difference.
    const sameOrigin = await fetch(`${origin}/orders/5`, {
      headers: { cookie, ...CSRF, 'sec-fetch-site': 'same-origin', origin },
    })
    expect(sameOrigin.status).toBe(200)
  })

  test("/bff/logout ends the local session and the authority's session (RP-initiated logout)", async () => {
    // A plain form post, as a sign-out button would send (no custom header is possible there).
    await page.evaluate(`(() => {
      const form = document.createElement('form')
      form.method = 'POST'
      form.action = '/bff/logout'
      document.body.append(form)
      form.submit()
    })()`)
    await page.waitForURL((url) => url.origin === authority.issuer)
    await authority.confirmLogout(page)
    await page.waitForURL(`${origin}/app`)
    expect((await callFromPage('/bff/user', CSRF)).status).toBe(401)
    expect((await callFromPage('/orders/6', CSRF)).status).toBe(401)
    // The authority's session is gone too: its account page sends to sign-in, and signing in
    // through the gateway again asks for the email address.
    await page.goto(`${authority.issuer}/account`)
    expect(new URL(page.url()).pathname).toBe('/signin')
    await page.goto(`${origin}/bff/login?return_to=/app`)
    await page.waitForURL((url) => url.origin === authority.issuer)
    await expect(page.getByLabel('Email address').count()).resolves.toBe(1)
  })
})
