import type { FastifyBaseLogger } from 'fastify'
import type { ClientAuthContext } from '../clients/authenticate-client.js'
import type { ClientRegistry } from '../clients/client-registry.js'
import type { AuthorityConfig } from '../config/load-config.js'
import type { DeviceRegistry } from '../devices/device-registry.js'
import type { Mailer } from '../email/mailer.js'
import type { KeyManager } from '../keys/key-manager.js'
import type { OidcService } from '../oidc/oidc-service.js'
import type { RefreshTokens } from '../refresh/refresh-tokens.js'
import type { CookieNames } from '../sessions/cookies.js'
import type { BrowserSessions } from '../sessions/session-store.js'
import type { EmailProofs } from '../signin/email-proof.js'
import type { SendLimits } from '../signin/send-limits.js'
import type { Storage } from '../storage/types.js'
import type { UserRegistry } from '../users/user-registry.js'
import type { AuditLog } from './audit.js'
import type { Clock } from './clock.js'
import type { DeviceFailureLimits, RateLimiter } from './rate-limit.js'

/** Endpoint paths, relative to the issuer; the metadata document is built from this table. */
export const PATHS = {
  metadata: '/.well-known/oauth-authorization-server',
  openidConfiguration: '/.well-known/openid-configuration',
  jwks: '/.well-known/jwks.json',
  token: '/oauth/token',
  introspection: '/oauth/introspect',
  revocation: '/oauth/revoke',
  registration: '/oauth/register',
  authorization: '/oauth/authorize',
  userinfo: '/oauth/userinfo',
  endSession: '/oauth/logout',
  admin: '/admin',
} as const

/** Everything an endpoint may use; built once by createAuthority. */
export interface AuthorityContext {
  readonly config: AuthorityConfig
  readonly clock: Clock
  readonly storage: Storage
  readonly keys: KeyManager
  readonly clients: ClientRegistry
  readonly clientAuth: ClientAuthContext
  readonly audit: AuditLog
  readonly log: FastifyBaseLogger
  readonly adminToken: string
  readonly limits: { readonly perClient: RateLimiter; readonly perAddress: RateLimiter }
  readonly devices: DeviceRegistry
  readonly refresh: RefreshTokens
  readonly deviceFailures: DeviceFailureLimits
  /** People, their browser sessions and the email sign-in (issue 12). */
  readonly users: UserRegistry
  readonly sessions: BrowserSessions
  readonly cookies: CookieNames
  readonly mailer: Mailer
  readonly signin: { readonly proofs: EmailProofs; readonly sendLimits: SendLimits }
  /** OpenID Connect for apps: authorization codes and the user facts grants need. */
  readonly oidc: OidcService
}

export function endpointUrl(config: AuthorityConfig, path: string): string {
  return `${config.issuer}${path}`
}
