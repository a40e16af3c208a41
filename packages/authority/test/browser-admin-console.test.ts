import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type BrowserContext, chromium } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  ADMIN_TOKEN,
  basic,
  type RunningAuthority,
  registerClient,
  requestToken,
  startAuthority,
  tempDir,
} from './helpers/authority.js'
import { BrowserLab } from './helpers/browser.js'

/**
 * The admin console in Debian's Chromium (playwright-core). With TESSERA_UPDATE_SCREENSHOTS=1 the
 * screenshot replaces docs/screenshots/admin-console.png, which the authority's README shows.
 */
const lab = new BrowserLab()

const dir = tempDir()
let running: RunningAuthority
let browser: BrowserContext

beforeAll(async () => {
  running = await startAuthority({ dataDir: dir.path })
  browser = await lab.open({ width: 1100, height: 900 })
})
afterAll(async () => {
  await browser?.close()
  await running?.close()
  dir.remove()
  lab.cleanup()
})

const consoleUrl = () => `${running.url}/admin/console`

describe('the admin console in a real browser (Chromium)', { timeout: 120_000 }, () => {
  it('wrong token refused; sign in; see an event; rotate, revoke, fire the kill switch', async () => {
    // A security event to find: a gateway reporting a spike of unknown-kid refusals.
    const report = await fetch(`${running.url}/admin/gateway-reports`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ gateway: 'edge-<b>7</b>', unknown_kid: 25 }),
    })
    expect(report.status).toBe(400)
    expect(
      (
        await fetch(`${running.url}/admin/gateway-reports`, {
          method: 'POST',
          headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify({ gateway: 'edge-7', unknown_kid: 25 }),
        })
      ).status,
    ).toBe(202)
    const client = await registerClient(running.url)

    const page = browser.pages()[0] ?? (await browser.newPage())
    const cspViolations: string[] = []
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text())
    })
    await page.goto(consoleUrl())
    await page.waitForURL(`${consoleUrl()}/signin`)
    await page.getByLabel('Admin token').fill('not-the-admin-token-0123456789abcdefghij')
    const [refused] = await Promise.all([
      page.waitForResponse(
        (response) =>
          response.url().endsWith('/admin/console/signin') && response.request().method() === 'POST',
      ),
      page.getByRole('button', { name: 'Sign in to the console' }).click(),
    ])
    expect(refused.status()).toBe(401)
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('That admin token is not right.')
    expect((await browser.cookies(running.url)).map((cookie) => cookie.name)).not.toContain('tessera-admin')

    await page.getByLabel('Admin token').fill(ADMIN_TOKEN)
    await page.getByRole('button', { name: 'Sign in to the console' }).click()
    await page.waitForURL(consoleUrl())
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Admin console')
    const cookie = (await browser.cookies(consoleUrl())).find((entry) => entry.name === 'tessera-admin')
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/admin/console' })
    const event = page.locator('#security-events tr[data-rule="gateway_verification_skew"]')
    await expect.poll(() => event.count()).toBe(1)
    expect(await event.textContent()).toContain('edge-7')

    const current = async () => page.locator('#keys tr[data-state="current"]').getAttribute('data-kid')
    const before = await current()
    await page.getByRole('button', { name: 'Rotate now' }).click()
    await page.waitForURL(`${consoleUrl()}?done=rotated`)
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Rotated')
    const after = await current()
    expect(after).not.toBe(before)
    expect(await page.locator(`#keys tr[data-kid="${before}"]`).getAttribute('data-state')).toBe('retired')

    await page.getByRole('button', { name: `Revoke key ${before}` }).click()
    await page.waitForURL(`${consoleUrl()}?done=revoked`)
    expect(await page.locator(`#keys tr[data-kid="${before}"]`).getAttribute('data-state')).toBe('revoked')
    const jwks = (await (await fetch(`${running.url}/.well-known/jwks.json`)).json()) as {
      keys: { kid: string }[]
    }
    expect(jwks.keys.map((key) => key.kid)).not.toContain(before)

    const issued = await requestToken(running.url, client)
    expect(issued.status).toBe(200)
    const introspect = async () => {
      const response = await fetch(`${running.url}/oauth/introspect`, {
        method: 'POST',
        headers: {
          authorization: basic(client.client_id, client.client_secret),
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ token: String(issued.body.access_token) }),
      })
      return ((await response.json()) as { active: boolean }).active
    }
    expect(await introspect()).toBe(true)
    await page.getByLabel('Revoke everything issued before now to a').selectOption('client')
    await page.getByLabel('Its id').fill(client.client_id)
    await page.getByRole('button', { name: 'Fire the kill switch' }).click()
    await page.waitForURL(`${consoleUrl()}?done=killed`)
    expect(await introspect()).toBe(false)
    await running.authority.context.audit.flush()
    const audit = await running.authority.context.storage.listAudit(100)
    expect(audit.find((entry) => entry.event === 'kill_switch')).toMatchObject({
      subject: client.client_id,
      detail: JSON.stringify({ kind: 'client', families: 0 }),
    })
    await lab.shoot(page, 'admin-console')
    expect(cspViolations).toEqual([])
  })

  it('refuses a POST without the CSRF token, from another origin, or without a console session', async () => {
    const cookie = (await browser.cookies(consoleUrl())).find((entry) => entry.name === 'tessera-admin')
    expect(cookie).toBeDefined()
    const page = await (
      await fetch(consoleUrl(), { headers: { cookie: `tessera-admin=${cookie?.value}` } })
    ).text()
    const csrf = /name="csrf_token" value="([^"]+)"/.exec(page)?.[1] ?? ''
    expect(csrf).not.toBe('')
    const kidsBefore = (await running.authority.context.storage.listKeys()).map((key) => key.kid)
    const post = (form: Record<string, string>, headers: Record<string, string>) =>
      fetch(`${consoleUrl()}/keys/rotate`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams(form).toString(),
      })
    const origin = new URL(running.url).origin
    const withSession = { cookie: `tessera-admin=${cookie?.value}` }
    const answers = [
      await post({}, { ...withSession, origin }),
      await post({ csrf_token: `${csrf.slice(0, -1)}A` }, { ...withSession, origin }),
      await post({ csrf_token: csrf }, { ...withSession, origin: 'http://evil.example' }),
      await post({ csrf_token: csrf }, { origin }),
      await post(
        { csrf_token: csrf },
        {
          cookie: 'tessera-admin=0.AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
          origin,
        },
      ),
    ]
    const codes = await Promise.all(
      answers.map(async (answer) => [answer.status, /data-error="([^"]*)"/.exec(await answer.text())?.[1]]),
    )
    expect(codes).toEqual([
      [403, 'csrf_failed'],
      [403, 'csrf_failed'],
      [403, 'csrf_failed'],
      [403, 'forbidden'],
      [403, 'forbidden'],
    ])
    expect((await running.authority.context.storage.listKeys()).map((key) => key.kid)).toEqual(kidsBefore)
    // The token form itself refuses a cross-site post, and the page is never served to a bearer of nothing.
    const cross = await fetch(`${consoleUrl()}/signin`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://evil.example' },
      body: new URLSearchParams({ admin_token: ADMIN_TOKEN }).toString(),
    })
    expect(cross.status).toBe(403)
    expect(cross.headers.get('set-cookie')).toBeNull()
    const anonymous = await fetch(consoleUrl(), { redirect: 'manual' })
    expect(anonymous.status).toBe(303)
    expect(anonymous.headers.get('location')).toBe('/admin/console/signin')
  })
})
