import type { FastifyBaseLogger } from 'fastify'
import type { ClientAuthContext } from './clients/authenticate-client.js'
import type { ClientRegistry } from './clients/client-registry.js'
import type { AuthorityConfig } from './config/load-config.js'
import type { DeviceRegistry } from './devices/device-registry.js'
import type { Mailer } from './email/mailer.js'
import type { RecipientKeys } from './encryption/recipient-keys.js'
import type { KeyManager } from './keys/key-manager.js'
import type { AuditLog } from './lib/audit.js'
import type { Clock } from './lib/clock.js'
import type { CounterStore } from './limits/counter-store.js'
import type { DeviceFailureLimits } from './limits/device-failure-limits.js'
import type { WindowLimit } from './limits/window-limit.js'
import type { Lockout } from './lockout/lockout.js'
import type { OidcService } from './oidc/oidc-service.js'
import type { PasskeyChallenges } from './passkeys/challenges.js'
import type { RelyingParty } from './passkeys/relying-party.js'
import type { RefreshTokens } from './refresh/refresh-tokens.js'
import type { ResourceRegistry } from './resources/resource-registry.js'
import type { CookieNames } from './sessions/cookies.js'
import type { BrowserSessions } from './sessions/session-store.js'
import type { EmailProofs } from './signin/email-proof.js'
import type { SendLimits } from './signin/send-limits.js'
import type { Storage } from './storage/types.js'
import type { UserRegistry } from './users/user-registry.js'

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
  /** Shared by every instance: rate limits, failure counters and the replay cache (limits/). */
  readonly counters: CounterStore
  readonly limits: { readonly perClient: WindowLimit; readonly perAddress: WindowLimit }
  readonly devices: DeviceRegistry
  readonly refresh: RefreshTokens
  readonly deviceFailures: DeviceFailureLimits
  /** People, their browser sessions and the email sign-in (issue 12). */
  readonly users: UserRegistry
  readonly sessions: BrowserSessions
  readonly cookies: CookieNames
  readonly mailer: Mailer
  readonly signin: { readonly proofs: EmailProofs; readonly sendLimits: SendLimits }
  /** Brute-force lockout of every sign-in method (codes, links, passkeys), per account and address. */
  readonly lockout: Lockout
  /** OpenID Connect for apps: authorization codes and the user facts grants need. */
  readonly oidc: OidcService
  /** Encrypted tokens (issue 18): recipients' keys and the resources registered for them. */
  readonly encryption: { readonly recipients: RecipientKeys; readonly resources: ResourceRegistry }
  /** Passkeys (issue 13): the relying party and the ceremonies' challenges. */
  readonly passkeys: { readonly rp: RelyingParty; readonly challenges: PasskeyChallenges }
}
