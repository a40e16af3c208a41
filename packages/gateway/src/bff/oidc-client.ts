import * as oidc from 'openid-client'
import type { BffSettings } from './settings.js'

export interface PendingLogin {
  readonly state: string
  readonly nonce: string
  readonly codeVerifier: string
  readonly returnTo: string
  readonly expiresAt: number
}

export interface IssuedTokens {
  readonly accessToken: string
  readonly refreshToken: string | undefined
  readonly expiresAt: number
  readonly idToken: string | undefined
  readonly claims: Readonly<Record<string, unknown>> | undefined
}

/**
 * The gateway as a confidential client (client_secret_basic) of the authority, by openid-client:
 * authorization code with PKCE (S256), state and nonce; refresh; RP-initiated logout. The
 * authority's metadata is discovered on first use and kept.
 */
export class OidcClient {
  readonly #issuer: string
  readonly #settings: BffSettings
  readonly #allowInsecureHttp: boolean
  #config: Promise<oidc.Configuration> | undefined

  constructor(issuer: string, settings: BffSettings, allowInsecureHttp: boolean) {
    this.#issuer = issuer
    this.#settings = settings
    this.#allowInsecureHttp = allowInsecureHttp
  }

  get redirectUri(): string {
    return `${this.#settings.publicOrigin}/bff/callback`
  }

  #configuration(): Promise<oidc.Configuration> {
    this.#config ??= oidc
      .discovery(
        new URL(this.#issuer),
        this.#settings.clientId,
        undefined,
        oidc.ClientSecretBasic(this.#settings.clientSecret),
        this.#allowInsecureHttp ? { execute: [oidc.allowInsecureRequests] } : {},
      )
      .catch((error: unknown) => {
        this.#config = undefined
        throw error
      })
    return this.#config
  }

  async startLogin(returnTo: string): Promise<{ url: URL; pending: PendingLogin }> {
    const config = await this.#configuration()
    const codeVerifier = oidc.randomPKCECodeVerifier()
    const pending: PendingLogin = {
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
      codeVerifier,
      returnTo,
      expiresAt: Date.now() + 10 * 60_000,
    }
    const scope = new Set(['openid', ...this.#settings.scope.split(' ').filter(Boolean)])
    const parameters: Record<string, string> = {
      redirect_uri: this.redirectUri,
      scope: [...scope].join(' '),
      response_type: 'code',
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
    }
    if (this.#settings.resource) parameters.resource = this.#settings.resource
    return { url: oidc.buildAuthorizationUrl(config, parameters), pending }
  }

  async finishLogin(currentUrl: URL, pending: PendingLogin): Promise<IssuedTokens> {
    const config = await this.#configuration()
    const response = await oidc.authorizationCodeGrant(
      config,
      currentUrl,
      {
        pkceCodeVerifier: pending.codeVerifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      },
      this.#settings.resource ? { resource: this.#settings.resource } : undefined,
    )
    return toTokens(response, undefined)
  }

  async refresh(refreshToken: string, previousIdToken: string | undefined): Promise<IssuedTokens> {
    const config = await this.#configuration()
    const response = await oidc.refreshTokenGrant(
      config,
      refreshToken,
      this.#settings.resource ? { resource: this.#settings.resource } : undefined,
    )
    return toTokens(response, refreshToken, previousIdToken)
  }

  /** The authority's end-session URL (RP-initiated logout), or undefined when it publishes none. */
  async logoutUrl(idToken: string | undefined): Promise<URL | undefined> {
    const config = await this.#configuration()
    if (!config.serverMetadata().end_session_endpoint) return undefined
    const parameters: Record<string, string> = {
      post_logout_redirect_uri: `${this.#settings.publicOrigin}${this.#settings.postLogoutPath}`,
      client_id: this.#settings.clientId,
    }
    if (idToken) parameters.id_token_hint = idToken
    return oidc.buildEndSessionUrl(config, parameters)
  }
}

function toTokens(
  response: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers,
  previousRefreshToken: string | undefined,
  previousIdToken?: string,
): IssuedTokens {
  const expiresIn = response.expiresIn() ?? 300
  return {
    accessToken: response.access_token,
    // A refresh that returns no new refresh token leaves the old one valid (RFC 6749 §6).
    refreshToken: response.refresh_token ?? previousRefreshToken,
    expiresAt: Date.now() + expiresIn * 1000,
    idToken: response.id_token ?? previousIdToken,
    claims: response.claims() as Readonly<Record<string, unknown>> | undefined,
  }
}
