import * as oidc from 'openid-client'
import { signInByCode } from './people.js'
import type { SmtpCapture } from './smtp-capture.js'
import type { WebClient } from './web-client.js'

/** openid-client against a loopback http issuer (tests only). */
export async function discover(
  issuer: string,
  clientId: string,
  secret: string | undefined,
): Promise<oidc.Configuration> {
  return oidc.discovery(
    new URL(issuer),
    clientId,
    undefined,
    secret === undefined ? oidc.None() : oidc.ClientSecretBasic(secret),
    { execute: [oidc.allowInsecureRequests] },
  )
}

export interface AuthorizationAttempt {
  readonly url: URL
  readonly verifier: string
  readonly state: string
  readonly nonce: string
}

/** What an RP does before sending the browser: PKCE S256, state, nonce, the authorization URL. */
export async function startAuthorization(
  config: oidc.Configuration,
  redirectUri: string,
  scope: string,
  extra: Record<string, string> = {},
): Promise<AuthorizationAttempt> {
  const verifier = oidc.randomPKCECodeVerifier()
  const state = oidc.randomState()
  const nonce = oidc.randomNonce()
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...extra,
  })
  return { url, verifier, state, nonce }
}

export const pathOf = (url: URL | string) => {
  const parsed = typeof url === 'string' ? new URL(url) : url
  return `${parsed.pathname}${parsed.search}`
}

/**
 * Follows the authorization request as a browser would: to sign-in when there is no session (by
 * typed code, mail read from the SMTP capture), back to the authorization endpoint, and returns
 * its final answer (a redirect to the client, or the consent page).
 */
export async function visitAuthorization(web: WebClient, smtp: SmtpCapture, url: URL, email: string) {
  const first = await web.get(pathOf(url))
  const location = first.headers.get('location') ?? ''
  if (first.status !== 303 || !location.startsWith('/signin?')) return first
  const returnTo = new URL(location, web.base).searchParams.get('return_to') ?? ''
  const { done } = await signInByCode(web, smtp, email, returnTo)
  const back = done.headers.get('location') ?? ''
  if (back !== returnTo) throw new Error(`sign-in returned to ${back}, not ${returnTo}`)
  return web.get(back)
}
