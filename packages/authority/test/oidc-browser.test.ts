import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as oidc from 'openid-client'
import { type BrowserContext, chromium } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  freePort,
  type RunningAuthority,
  registerClient,
  startAuthority,
  tempDir,
} from './helpers/authority.js'
import { discover } from './helpers/oidc.js'
import { type SmtpCapture, startSmtpCapture } from './helpers/smtp-capture.js'

// End to end in Debian's Chromium: a small relying party built on openid-client v6 sends the browser
// through the authority's real pages (sign-in by typed code and by magic link, consent) and back,
// then reads userinfo, refreshes, and signs out through RP-initiated logout.

const dir = tempDir()
const profile = mkdtempSync(join(tmpdir(), 'tessera-chromium-'))
let smtp: SmtpCapture
let running: RunningAuthority
let browser: BrowserContext
let rp: Server
let rpBase: string
const events: string[] = []

/** The relying party: /login starts the flow, /callback finishes it, /logout ends the session. */
async function startRelyingParty(config: () => oidc.Configuration) {
  const pending = new Map<string, { verifier: string; nonce: string }>()
  const sessions = new Map<
    string,
    { idToken: string; refreshToken: string; accessToken: string; sub: string }
  >()
  const port = await freePort()
  rpBase = `http://127.0.0.1:${port}`
  rp = createServer((request, response) => {
    const url = new URL(request.url ?? '/', rpBase)
    const page = (status: number, text: string) => {
      response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' })
      response.end(text)
    }
    const handle = async () => {
      if (url.pathname === '/login') {
        const verifier = oidc.randomPKCECodeVerifier()
        const state = oidc.randomState()
        const nonce = oidc.randomNonce()
        pending.set(state, { verifier, nonce })
        const target = oidc.buildAuthorizationUrl(config(), {
          redirect_uri: `${rpBase}/callback`,
          scope: 'openid email offline_access',
          code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
          code_challenge_method: 'S256',
          state,
          nonce,
        })
        response.writeHead(302, { location: target.href })
        return response.end()
      }
      if (url.pathname === '/callback') {
        const state = url.searchParams.get('state') ?? ''
        const expected = pending.get(state)
        if (!expected) return page(400, 'unknown state')
        pending.delete(state)
        const tokens = await oidc.authorizationCodeGrant(config(), url, {
          pkceCodeVerifier: expected.verifier,
          expectedState: state,
          expectedNonce: expected.nonce,
          idTokenExpected: true,
        })
        const claims = tokens.claims() as oidc.IDToken
        const info = await oidc.fetchUserInfo(config(), tokens.access_token, claims.sub)
        sessions.set('me', {
          idToken: tokens.id_token as string,
          refreshToken: tokens.refresh_token as string,
          accessToken: tokens.access_token,
          sub: claims.sub,
        })
        events.push(`signed-in amr=${(claims.amr as string[]).join(',')}`)
        return page(200, `Signed in as ${info.email}`)
      }
      if (url.pathname === '/refresh') {
        const session = sessions.get('me')
        if (!session) return page(401, 'not signed in')
        const tokens = await oidc.refreshTokenGrant(config(), session.refreshToken)
        session.refreshToken = tokens.refresh_token as string
        return page(200, `Refreshed for ${(tokens.claims() as oidc.IDToken).sub}`)
      }
      if (url.pathname === '/logout') {
        const session = sessions.get('me')
        const target = oidc.buildEndSessionUrl(config(), {
          id_token_hint: session?.idToken ?? '',
          post_logout_redirect_uri: `${rpBase}/signed-out`,
          state: 'rp-logout-state',
        })
        response.writeHead(302, { location: target.href })
        return response.end()
      }
      if (url.pathname === '/signed-out')
        return page(200, `Signed out, state ${url.searchParams.get('state')}`)
      return page(404, 'no such page')
    }
    handle().catch((error: Error) => page(500, `relying party failed: ${error.message}`))
  })
  await new Promise<void>((resolve) => rp.listen(port, '127.0.0.1', resolve))
  return sessions
}

let rpSessions: Awaited<ReturnType<typeof startRelyingParty>>
let thirdParty: oidc.Configuration

beforeAll(async () => {
  smtp = await startSmtpCapture()
  running = await startAuthority({ dataDir: dir.path, smtpUrl: smtp.url, signinSendLimitIp: 10_000 })
  rpSessions = await startRelyingParty(() => thirdParty)
  const app = await registerClient(running.url, {
    client_name: 'Example Notes',
    scope: undefined,
    grant_types: ['authorization_code', 'refresh_token'],
    redirect_uris: [`${rpBase}/callback`],
    post_logout_redirect_uris: [`${rpBase}/signed-out`],
  })
  thirdParty = await discover(running.url, app.client_id, app.client_secret)
  // A fresh profile directory: launchPersistentContext passes it as --user-data-dir.
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
}, 60_000)
afterAll(async () => {
  await browser?.close()
  await new Promise((resolve) => rp?.close(resolve))
  await running?.close()
  await smtp?.close()
  dir.remove()
  rmSync(profile, { recursive: true, force: true })
})

describe('OpenID Connect in a real browser', () => {
  it('signs in by typed code with consent, refreshes, and signs out from the app', async () => {
    await browser.clearCookies()
    const page = await browser.newPage()
    const email = 'browser-code@example.com'
    await page.goto(`${rpBase}/login`)
    await page.getByLabel(/email/i).fill(email)
    await page.getByRole('button', { name: 'Email me a code' }).click()
    const mail = await smtp.next(email)
    await page
      .getByLabel(/code/i)
      .first()
      .fill(mail.code ?? '')
    await page.getByRole('button', { name: 'Sign in' }).click()
    // Not first-party: the consent page names the app and what it asks for.
    await expect.poll(() => page.title()).toContain('Allow Example Notes?')
    expect(await page.textContent('main')).toContain('See your email address')
    await page.getByRole('button', { name: 'Allow' }).click()
    await page.waitForURL(`${rpBase}/callback**`)
    expect(await page.textContent('body')).toBe(`Signed in as ${email}`)
    expect(events.at(-1)).toBe('signed-in amr=otp')

    await page.goto(`${rpBase}/refresh`)
    expect(await page.textContent('body')).toBe(`Refreshed for ${rpSessions.get('me')?.sub}`)

    // The account page lists the app under Connected apps.
    await page.goto(`${running.url}/account`)
    expect(await page.textContent('[data-section="connected-apps"]')).toContain('Example Notes')

    await page.goto(`${rpBase}/logout`)
    await expect.poll(() => page.title()).toContain('Sign out?')
    await page.getByRole('button', { name: 'Sign out' }).last().click()
    await page.waitForURL(`${rpBase}/signed-out**`)
    expect(await page.textContent('body')).toBe('Signed out, state rp-logout-state')
    // The session is gone, and with it the app's refresh token.
    await page.goto(`${rpBase}/refresh`)
    expect(await page.textContent('body')).toContain('relying party failed')
    await page.close()
  }, 90_000)

  it('signs in by magic link, and a remembered consent goes straight back to the app', async () => {
    await browser.clearCookies()
    const page = await browser.newPage()
    const email = 'browser-code@example.com'
    await page.goto(`${rpBase}/login`)
    await page.getByLabel(/email/i).fill(email)
    await page.getByRole('button', { name: 'Email me a code' }).click()
    const mail = await smtp.next(email)
    await page.goto(mail.link ?? '')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.waitForURL(`${rpBase}/callback**`)
    expect(await page.textContent('body')).toBe(`Signed in as ${email}`)
    expect(events.at(-1)).toBe('signed-in amr=email')
    await page.close()
  }, 90_000)
})
