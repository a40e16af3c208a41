import type { Page } from 'playwright-core'
import { freePort, registerClient, startAuthority, tempDir } from './authority.js'
import { startMailCapture } from './mail-capture.js'

/**
 * The Tessera authority as the BFF test signs in at it: its issuer, the confidential client
 * registered for the gateway, and how a person signs in (F1: an emailed code) and confirms sign-out
 * on its own pages.
 */
export interface SignInAuthority {
  readonly issuer: string
  readonly clientId: string
  readonly clientSecret: string
  /** Completes the authority's sign-in pages in the browser for `email`, reading the mailed code. */
  signIn(page: Page, email: string): Promise<void>
  /** Confirms RP-initiated logout on the authority's "Sign out?" page. */
  confirmLogout(page: Page): Promise<void>
  close(): Promise<void>
}

export interface SignInAuthorityOptions {
  readonly redirectUri: string
  readonly postLogoutRedirectUri: string
  /** The access token's audience (the client's registered resource) and the API scope it may ask for. */
  readonly audience: string
  readonly scope: string
  readonly accessTokenLifetimeSeconds: number
}

export async function startSignInAuthority(options: SignInAuthorityOptions): Promise<SignInAuthority> {
  const dir = tempDir('tessera-bff-authority-')
  const mail = await startMailCapture()
  // The issuer is `localhost` while the gateway is 127.0.0.1: another site, as a real authority is.
  const port = await freePort()
  const running = await startAuthority(dir.path, {
    port,
    issuer: `http://localhost:${port}`,
    config: { smtpUrl: mail.url, accessTokenLifetime: options.accessTokenLifetimeSeconds },
  })
  const client = await registerClient(running.url, {
    client_name: 'Orders app',
    scope: options.scope,
    resources: [options.audience],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    redirect_uris: [options.redirectUri],
    post_logout_redirect_uris: [options.postLogoutRedirectUri],
    // The BFF fronts the operator's own app: no consent page, as for any first-party app.
    tessera_first_party: true,
  })
  return {
    issuer: running.issuer,
    clientId: client.client_id,
    clientSecret: client.client_secret,
    async signIn(page, email) {
      await page.getByLabel('Email address').fill(email)
      await page.getByRole('button', { name: 'Email me a code' }).click()
      const message = await mail.next(email)
      if (!message.code) throw new Error(`no sign-in code in the mail to ${email}`)
      await page.getByLabel('Sign-in code').fill(message.code)
      await page.getByRole('button', { name: 'Sign in' }).click()
    },
    async confirmLogout(page) {
      await page.getByRole('button', { name: 'Sign out' }).last().click()
    },
    async close() {
      await running.close()
      await mail.close()
      dir.remove()
    },
  }
}
