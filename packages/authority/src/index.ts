/**
 * The token server: rotating signing keys, OAuth 2.0 and OpenID Connect, devices, people and sessions,
 * on SQLite or PostgreSQL.
 *
 * @packageDocumentation
 * @module @tessera/authority
 */
export type { ClientMetadata } from './clients/client-metadata.js'
export type { Client } from './clients/client-registry.js'
export { SETTINGS } from './config/defaults.js'
export type { AuthorityConfig, ConfigInput } from './config/load-config.js'
export { ConfigError, loadConfig } from './config/load-config.js'
export { MasterKeyError } from './keys/master-key.js'
export type { Clock, ManualClock } from './lib/clock.js'
export { createManualClock, systemClock } from './lib/clock.js'
export { PATHS } from './lib/paths.js'
export type { Authority, CreateAuthorityOptions } from './server.js'
export { createAuthority } from './server.js'
export { createStorage } from './storage/create-storage.js'
export type { Storage } from './storage/types.js'
