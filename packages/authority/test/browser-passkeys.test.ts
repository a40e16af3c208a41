import { createPrivateKey, createPublicKey } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { calculateJwkThumbprint } from '@tessera/jose'
import { type BrowserContext, type CDPSession, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, freePort, type RunningAuthority, startAuthority, tempDir } from './helpers/authority.js'
import { BrowserLab } from './helpers/browser.js'
import { type SmtpCapture, startSmtpCapture } from './helpers/smtp-capture.js'

/**
 * Passkeys through the real pages in Debian's Chromium with a CDP virtual authenticator (CTAP2,
 * resident keys, user verification). The issuer is http://localhost: browsers accept no IP address
 * as an RP ID, and localhost is a secure context. Screenshots as in browser-signin.test.ts.
 */
const lab = new BrowserLab()

const dir = tempDir()
let smtp: SmtpCapture
let running: RunningAuthority
let base: string

/**
 * With presence simulation off the authenticator waits like a person who has not touched it yet:
 * a conditional (autofill) request stays pending, as in a real browser until a passkey is picked.
 */
async function virtualAuthenticator(
  page: Page,
  automaticPresenceSimulation = true,
): Promise<{ cdp: CDPSession; authenticatorId: string }> {
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('WebAuthn.enable', { enableUI: false })
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation,
    },
  })
  return { cdp, authenticatorId }
}

async function signInByEmail(page: Page, email: string): Promise<void> {
  await page.goto(`${base}/signin`)
  await page.getByLabel('Email address').fill(email)
  await page.getByRole('button', { name: 'Email me a code' }).click()
  await page.waitForURL(`${base}/signin/check`)
  const mail = await smtp.next(email)
  await page.getByLabel('Sign-in code').fill(mail.code ?? '')
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.waitForURL(`${base}/account`)
}

// Strings, not functions: the tests are type-checked without the DOM library.
const passkeyState = (page: Page) => page.evaluate<string>("document.documentElement.dataset.passkey ?? ''")

beforeAll(async () => {
  smtp = await startSmtpCapture()
  const port = await freePort()
  running = await startAuthority(
    { dataDir: dir.path, smtpUrl: smtp.url, issuer: `http://localhost:${port}` },
    undefined,
    port,
  )
  base = `http://localhost:${port}`
})
afterAll(async () => {
  await running?.close()
  await smtp?.close()
  dir.remove()
  lab.cleanup()
})

describe('passkeys in a real browser (Chromium, CDP virtual authenticator)', { timeout: 180_000 }, () => {
  it('email sign-in → add a passkey → sign out → sign in with the passkey; the JWK matches the authenticator key', async () => {
    const browser = await lab.open()
    try {
      const page = browser.pages()[0] ?? (await browser.newPage())
      const errors: string[] = []
      page.on('pageerror', (error) => errors.push(error.message))
      const { cdp, authenticatorId } = await virtualAuthenticator(page)
      const email = 'katherine@example.com'
      await signInByEmail(page, email)

      await page.getByLabel('Name for the new passkey').fill('Work laptop')
      await page.getByRole('button', { name: 'Add a passkey' }).click()
      await expect.poll(() => page.locator('#passkeys tbody tr').count(), { timeout: 30_000 }).toBe(1)
      expect(await page.getByLabel('Name', { exact: true }).inputValue()).toBe('Work laptop')

      // The authenticator's credential: its private key (PKCS#8) gives the public key we must hold.
      const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId })
      expect(credentials).toHaveLength(1)
      const credential = credentials[0]
      if (credential === undefined) throw new Error('no credential')
      expect(credential.isResidentCredential).toBe(true)
      const publicJwk = createPublicKey(
        createPrivateKey({ key: Buffer.from(credential.privateKey, 'base64'), format: 'der', type: 'pkcs8' }),
      ).export({ format: 'jwk' })
      const user = await running.authority.context.users.findByEmail(email)
      const admin = await fetch(`${base}/admin/users/${user?.id}/passkeys`, {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      })
      const { passkeys } = (await admin.json()) as {
        passkeys: { id: string; jwk: object; thumbprint: string }[]
      }
      expect(passkeys).toHaveLength(1)
      expect(Buffer.from(passkeys[0]?.id ?? '', 'base64url')).toEqual(
        Buffer.from(credential.credentialId, 'base64'),
      )
      expect(passkeys[0]?.thumbprint).toBe(await calculateJwkThumbprint(publicJwk as never))
      expect(passkeys[0]?.jwk).toMatchObject(publicJwk)

      await page.getByRole('button', { name: 'Sign out', exact: true }).first().click()
      await page.waitForURL(`${base}/`)
      // The autofill request waits (nobody touches the authenticator); the button's request replaces it.
      await cdp.send('WebAuthn.setAutomaticPresenceSimulation', { authenticatorId, enabled: false })
      await page.goto(`${base}/signin`)
      await expect.poll(() => passkeyState(page)).toBe('autofill')
      await lab.shoot(page, 'passkey-signin')
      await cdp.send('WebAuthn.setAutomaticPresenceSimulation', { authenticatorId, enabled: true })
      await page.getByRole('button', { name: 'Sign in with a passkey' }).click()
      await page.waitForURL(`${base}/account`, { timeout: 30_000 })
      expect(await page.textContent('main')).toContain('(this browser)')
      expect(await page.locator('#passkeys tbody tr td').nth(3).textContent()).not.toBe('never')
      await lab.shoot(page, 'passkeys')
      const sessions = await running.authority.context.sessions.list(user?.id ?? '')
      expect(sessions.map((session) => session.amr)).toContain(JSON.stringify(['hwk', 'user']))
      const after = await cdp.send('WebAuthn.getCredentials', { authenticatorId })
      expect((await running.authority.context.storage.findPasskey(passkeys[0]?.id ?? ''))?.signCount).toBe(
        after.credentials[0]?.signCount,
      )
      expect(errors).toEqual([])
    } finally {
      await browser.close()
    }
  })

  it('conditional UI: the email field offers passkeys; typing an email instead ends the request cleanly', async () => {
    const browser = await lab.open()
    try {
      const page = browser.pages()[0] ?? (await browser.newPage())
      const errors: string[] = []
      page.on('pageerror', (error) => errors.push(error.message))
      page.on('console', (message) => {
        // The browser's own favicon request is not the page's doing.
        if (message.type() === 'error' && !message.location().url.endsWith('/favicon.ico'))
          errors.push(message.text())
      })
      await virtualAuthenticator(page, false)
      await page.goto(`${base}/signin`)
      expect(await page.getByLabel('Email address').getAttribute('autocomplete')).toBe('username webauthn')
      const supported = await page.evaluate(() =>
        (
          globalThis as unknown as {
            SimpleWebAuthnBrowser: { browserSupportsWebAuthnAutofill(): Promise<boolean> }
          }
        ).SimpleWebAuthnBrowser.browserSupportsWebAuthnAutofill(),
      )
      expect(supported).toBe(true)
      await expect.poll(() => passkeyState(page)).toBe('autofill')
      const failures = async () => {
        await running.authority.context.audit.flush()
        return (await running.authority.context.storage.listAudit(1000)).filter(
          (event) => event.event === 'signin.failed',
        ).length
      }
      const before = await failures()
      // A listener added after the page's own one sees the state the page's submit handler left.
      await page.evaluate(`document.getElementById('signin-form').addEventListener('submit', () => {
        sessionStorage.setItem('passkey-at-submit', document.documentElement.dataset.passkey ?? '')
      })`)
      await page.getByLabel('Email address').fill('dorothy@example.com')
      await page.getByRole('button', { name: 'Email me a code' }).click()
      await page.waitForURL(`${base}/signin/check`)
      expect(await page.evaluate("sessionStorage.getItem('passkey-at-submit')")).toBe('aborted')
      expect(await page.textContent('main')).toContain('dorothy@example.com')
      expect(await failures()).toBe(before)
      expect(errors).toEqual([])
    } finally {
      await browser.close()
    }
  })
})
