/** The BFF's settings: the gateway as a confidential OpenID Connect client of the authority. */
export interface BffSettings {
  readonly clientId: string
  readonly clientSecret: string
  /** The origin browsers use to reach the gateway; the redirect URI is `<origin>/bff/callback`. */
  readonly publicOrigin: string
  /** Scopes asked for at sign-in; `openid` is always included. */
  readonly scope: string
  /** RFC 8707 resource the access token is for (its audience), when the authority needs one. */
  readonly resource: string | undefined
  /** Where the browser lands after sign-out (a path on the gateway). */
  readonly postLogoutPath: string
  readonly sessionIdleTimeoutMs: number
  readonly sessionMaxAgeMs: number
  /** Refresh the access token when it has less than this left. */
  readonly refreshBeforeExpiryMs: number
  readonly maxSessions: number
}

export const BFF_DEFAULTS = {
  scope: 'openid',
  postLogoutPath: '/',
  sessionIdleTimeoutMs: 30 * 60_000,
  sessionMaxAgeMs: 12 * 3_600_000,
  refreshBeforeExpiryMs: 60_000,
  maxSessions: 10_000,
} as const
