import type { FastifyBaseLogger } from 'fastify'
import type { ClientAuthContext } from '../clients/authenticate-client.js'
import type { ClientRegistry } from '../clients/client-registry.js'
import type { AuthorityConfig } from '../config/load-config.js'
import type { DeviceRegistry } from '../devices/device-registry.js'
import type { KeyManager } from '../keys/key-manager.js'
import type { OidcService } from '../oidc/oidc-service.js'
import type { RefreshTokens } from '../refresh/refresh-tokens.js'
import type { Storage } from '../storage/types.js'
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
  /** OpenID Connect for apps: authorization codes and the user facts grants need. */
  readonly oidc: OidcService
}

export function endpointUrl(config: AuthorityConfig, path: string): string {
  return `${config.issuer}${path}`
}
