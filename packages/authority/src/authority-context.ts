import type { FastifyBaseLogger } from 'fastify'
import type { ClientAuthContext } from './clients/authenticate-client.js'
import type { ClientRegistry } from './clients/client-registry.js'
import type { AuthorityConfig } from './config/load-config.js'
import type { DeviceRegistry } from './devices/device-registry.js'
import type { KeyManager } from './keys/key-manager.js'
import type { AuditLog } from './lib/audit.js'
import type { Clock } from './lib/clock.js'
import type { DeviceFailureLimits, RateLimiter } from './lib/rate-limit.js'
import type { RefreshTokens } from './refresh/refresh-tokens.js'
import type { Storage } from './storage/types.js'

/**
 * Everything an endpoint may use; assembled once by createAuthority (server.ts). It lives beside
 * server.ts rather than in lib/, because it names every concept's machinery and lib/ depends on none.
 */
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
}
