import type { Server } from 'node:http'
import { exportJWK, generateKeyPair, type Key } from '@tessera/jose'
import Provider from 'oidc-provider'
import type { Page } from 'playwright-core'
import { freePort } from './authority.js'

/**
 * What the BFF test needs from the authority it signs in at. Today: oidc-provider with its
 * development login pages (any login, any password). The Tessera authority's own sign-in pages
 * (issue F1) implement the same interface: its issuer, a confidential client registered for the
 * gateway, and how a person signs in and confirms sign-out on its pages.
 */
export interface SignInProvider {
  readonly issuer: string
  readonly clientId: string
  readonly clientSecret: string
  /** Completes the provider's sign-in pages in the browser for `user`. */
  signIn(page: Page, user: string): Promise<void>
  /** Confirms RP-initiated logout on the provider's page, when it asks. */
  confirmLogout(page: Page): Promise<void>
  close(): Promise<void>
}

export interface ProviderOptions {
  readonly redirectUri: string
  readonly postLogoutRedirectUri: string
  /** The access token's audience (RFC 8707 resource) and the scope it carries. */
  readonly audience: string
  readonly scope: string
  readonly accessTokenTtlSeconds: number
}

export async function startOpenIdProvider(options: ProviderOptions): Promise<SignInProvider> {
  const port = await freePort()
  // `localhost`, while the gateway is 127.0.0.1: another site, as a real authority would be.
  const issuer = `http://localhost:${port}`
  const { privateKey } = await generateKeyPair('ES256')
  const signingKey = { ...(await exportJWK(privateKey as Key)), kid: 'op-es256', alg: 'ES256', use: 'sig' }
  const clientId = 'tessera-gateway'
  const clientSecret = 'bff-test-secret-0123456789abcdefghijklmnop'
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [options.redirectUri],
        post_logout_redirect_uris: [options.postLogoutRedirectUri],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
        id_token_signed_response_alg: 'ES256',
      },
    ],
    jwks: { keys: [signingKey] },
    scopes: ['openid', 'offline_access', ...options.scope.split(' ')],
    claims: { openid: ['sub'], profile: ['name'] },
    findAccount: (_ctx: unknown, id: string) => ({
      accountId: id,
      claims: () => ({ sub: id, name: `User ${id}` }),
    }),
    pkce: { required: () => true },
    issueRefreshToken: () => true,
    ttl: { AccessToken: options.accessTokenTtlSeconds, IdToken: 3600, Session: 3600, Grant: 3600 },
    cookies: { keys: ['oidc-provider-test-cookie-key-0123456789'] },
    features: {
      devInteractions: { enabled: true },
      rpInitiatedLogout: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => options.audience,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({
          scope: options.scope,
          audience: options.audience,
          accessTokenFormat: 'jwt',
          accessTokenTTL: options.accessTokenTtlSeconds,
          jwt: { sign: { alg: 'ES256' } },
        }),
      },
    },
  })
  const server: Server = await new Promise((resolve) => {
    const listening = provider.listen(port, '127.0.0.1', () => resolve(listening))
  })
  return {
    issuer,
    clientId,
    clientSecret,
    async signIn(page, user) {
      await page.locator('input[name="login"]').fill(user)
      await page.locator('input[name="password"]').fill('any password')
      await page.locator('button[type="submit"]').click()
      await page.locator('button[type="submit"]', { hasText: 'Continue' }).click()
    },
    async confirmLogout(page) {
      await page.locator('button[name="logout"][value="yes"], button[autofocus]').first().click()
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
