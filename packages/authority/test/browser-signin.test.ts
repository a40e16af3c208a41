import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type BrowserContext, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningAuthority, startAuthority, tempDir } from './helpers/authority.js'
import { BrowserLab } from './helpers/browser.js'
import { type SmtpCapture, startSmtpCapture } from './helpers/smtp-capture.js'

/**
 * The sign-in through the real pages in Debian's Chromium (playwright-core, no browser download).
 * Screenshots go to a temporary directory; with TESSERA_UPDATE_SCREENSHOTS=1 they replace the ones
 * committed under docs/screenshots/ that docs/signing-in.md shows.
 */
const lab = new BrowserLab()

const dir = tempDir()
let smtp: SmtpCapture
let running: RunningAuthority

async function askForEmail(page: Page, email: string): Promise<void> {
  await page.goto(`${running.url}/signin`)
  await page.getByLabel('Email address').fill(email)
  await page.getByRole('button', { name: 'Email me a code' }).click()
  await page.waitForURL(`${running.url}/signin/check`)
}

beforeAll(async () => {
  smtp = await startSmtpCapture()
  // Plain http on loopback: the documented development exception (cookies without __Host-/Secure).
  running = await startAuthority({ dataDir: dir.path, smtpUrl: smtp.url })
})
afterAll(async () => {
  await running?.close()
  await smtp?.close()
  dir.remove()
  lab.cleanup()
})

// Starting Chromium takes seconds, many more on a loaded machine.
describe('sign-in in a real browser (Chromium)', { timeout: 120_000 }, () => {
  it('by typed code: sign-in page → code page → account page, then sign out everywhere', async () => {
    const browser = await lab.open()
    try {
      const page = browser.pages()[0] ?? (await browser.newPage())
      await page.goto(`${running.url}/`)
      await expect.poll(() => page.title()).toBe('Tessera · Tessera')
      await page.getByRole('link', { name: 'Sign in or create an account' }).click()
      await page.waitForURL(`${running.url}/signin`)
      // The email field has focus on arrival, so keyboard users can type at once.
      expect(await page.evaluate('document.activeElement && document.activeElement.id')).toBe('email')
      await page.getByLabel('Email address').fill('Grace.Hopper@Example.com')
      await lab.shoot(page, 'signin')
      await page.getByRole('button', { name: 'Email me a code' }).click()
      await page.waitForURL(`${running.url}/signin/check`)
      const mail = await smtp.next('grace.hopper@example.com')
      const typed = `${mail.code?.slice(0, 4)} ${mail.code?.slice(4)}`
      await page.getByLabel('Sign-in code').fill(typed)
      await lab.shoot(page, 'code')
      // A wrong code first: the error is announced and tied to the field.
      await page.getByLabel('Sign-in code').fill('00000000')
      await page.getByRole('button', { name: 'Sign in' }).click()
      await expect
        .poll(() => page.getByRole('alert').first().textContent())
        .toContain('That code is not right')
      expect(await page.getByLabel('Sign-in code').getAttribute('aria-invalid')).toBe('true')
      await page.getByLabel('Sign-in code').fill(typed)
      await page.getByRole('button', { name: 'Sign in' }).click()
      await page.waitForURL(`${running.url}/account`)
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Your account')
      expect(await page.textContent('main')).toContain('grace.hopper@example.com (verified)')
      expect(await page.textContent('main')).toContain('(this browser)')
      const cookies = await browser.cookies(running.url)
      const session = cookies.find((cookie) => cookie.name === 'tessera-session')
      expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' })
      await lab.shoot(page, 'account')
      await page.getByRole('button', { name: 'Sign out everywhere' }).click()
      await page.waitForURL(`${running.url}/`)
      expect((await browser.cookies(running.url)).map((cookie) => cookie.name)).not.toContain(
        'tessera-session',
      )
      await page.goto(`${running.url}/account`)
      expect(new URL(page.url()).pathname).toBe('/signin')
    } finally {
      await browser.close()
    }
  })

  it('by magic link: the link opens a confirm page whose button signs in; another browser is told to type the code', async () => {
    const browser = await lab.open()
    const other = await lab.open()
    try {
      const page = browser.pages()[0] ?? (await browser.newPage())
      await askForEmail(page, 'ada@example.com')
      const mail = await smtp.next('ada@example.com')
      const elsewhere = other.pages()[0] ?? (await other.newPage())
      await elsewhere.goto(mail.link ?? '')
      expect(await elsewhere.textContent('main')).toContain('Nobody has been signed in')
      expect(await elsewhere.getByRole('button', { name: 'Sign in' }).count()).toBe(0)
      await page.goto(mail.link ?? '')
      expect(await page.textContent('main')).toContain('Sign in as ada@example.com in this browser?')
      await lab.shoot(page, 'link-confirm')
      await page.getByRole('button', { name: 'Sign in' }).click()
      await page.waitForURL(`${running.url}/account`)
      expect(await page.textContent('main')).toContain('ada@example.com (verified)')
      await page.getByRole('button', { name: 'Sign out', exact: true }).first().click()
      await page.waitForURL(`${running.url}/`)
      expect(await page.getByRole('link', { name: 'Sign in', exact: true }).count()).toBe(1)
    } finally {
      await browser.close()
      await other.close()
    }
  })
})
