import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { checkOptions, closestName } from '../lib/check-options.js'
import type { LimitsStore } from '../limits/open-counter-store.js'
import { SETTINGS, type SettingName } from './defaults.js'
import { SettingError } from './parsers.js'

const SETTING_NAMES = Object.keys(SETTINGS) as SettingName[]

/** The validated, frozen configuration every other module receives. */
export interface AuthorityConfig {
  readonly port: number
  readonly host: string
  readonly issuer: string
  readonly dataDir: string
  readonly databaseUrl: string
  readonly adminToken: string | undefined
  readonly masterKey: string | undefined
  readonly masterKeyFile: string | undefined
  /** Seconds. */
  readonly accessTokenLifetime: number
  readonly signingAlg: string
  /** Worker threads signing in-process keys (0: Node's libuv pool). */
  readonly signingThreads: number
  readonly rotationPeriod: number
  readonly publishLead: number
  readonly retirePeriod: number
  readonly clockTolerance: number
  readonly jwksMaxAge: number
  readonly keyReloadInterval: number
  readonly assertionMaxLifetime: number
  readonly rateLimitPerClient: number
  readonly rateLimitPerAddress: number
  readonly bodyLimit: number
  /** Seconds: the whole request, the headers, an idle connection, an idle keep-alive connection. */
  readonly requestTimeout: number
  readonly headersTimeout: number
  readonly connectionTimeout: number
  readonly keepAliveTimeout: number
  /** Seconds, from the signal: drain the requests in flight; then exit whatever is left. */
  readonly drainTimeout: number
  readonly shutdownTimeout: number
  readonly allowHttpJwksUri: boolean
  /** Seconds. */
  readonly deviceAccessTokenLifetime: number
  readonly refreshTokenLifetime: number
  readonly refreshTokenIdleTimeout: number
  readonly refreshGraceWindow: number
  readonly deviceFailureLimit: number
  readonly openSignup: boolean
  /** Seconds. */
  readonly sessionIdleTimeout: number
  readonly sessionLifetime: number
  readonly smtpUrl: string | undefined
  readonly emailFrom: string
  readonly signinSendLimitAddress: number
  readonly signinSendLimitIp: number
  readonly lockoutFailures: number
  readonly lockoutAddressFailures: number
  /** Seconds. */
  readonly lockoutWait: number
  readonly lockoutMaxWait: number
  readonly lockoutResetAfter: number
  readonly lockoutPermanentAfter: number
  /** Seconds; 0 keeps the audit log forever. */
  readonly auditRetention: number
  /** Seconds. */
  readonly authorizationCodeLifetime: number
  readonly idTokenLifetime: number
  readonly logLevel: string
  readonly metrics: boolean
  /** undefined: /metrics on the main port behind the admin token. */
  readonly metricsPort: number | undefined
  readonly metricsHost: string
  readonly pkcs11Module: string | undefined
  readonly pkcs11TokenLabel: string | undefined
  readonly pkcs11Slot: number | undefined
  readonly pkcs11Pin: string | undefined
  readonly pkcs11PinFile: string | undefined
  readonly alertWebhook: string | undefined
  /** Origins allowed cross-origin on the token, userinfo and revocation endpoints (see endpoints/cors.ts). */
  readonly corsOrigins: readonly string[]
  /** Passkeys: the RP ID and the origins a WebAuthn response may come from (defaults: the issuer's). */
  readonly webauthnRpId: string
  readonly webauthnOrigins: readonly string[]
  readonly redisUrl: string | undefined
  readonly limitsStore: LimitsStore | undefined
}

/** A configuration problem; start-up stops with this message, which names the setting. */
export class ConfigError extends Error {
  override name = 'ConfigError'
}

/**
 * Settings as given (a config file, the environment or code), before loadConfig validates and freezes
 * them; names are the keys of SETTINGS.
 */
export type ConfigInput = Partial<Record<SettingName, unknown>>

function readConfigFile(path: string): ConfigInput {
  let parsed: unknown
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'))
  } catch (error) {
    throw new ConfigError(`TESSERA_CONFIG: cannot read ${path} as JSON (${(error as Error).message})`)
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`TESSERA_CONFIG: ${path} must hold a JSON object`)
  }
  for (const key of Object.keys(parsed)) {
    if (!Object.hasOwn(SETTINGS, key)) {
      const suggestion = closestName(key, SETTING_NAMES)
      throw new ConfigError(
        `TESSERA_CONFIG: unknown setting "${key}" in ${path}${suggestion === undefined ? '' : `; did you mean "${suggestion}"?`}`,
      )
    }
  }
  return parsed as ConfigInput
}

/**
 * Builds the configuration from defaults, the optional JSON file named by TESSERA_CONFIG, the
 * environment, and `overrides` (for tests and embedding), in that order of precedence, lowest first.
 * An override that names no setting is a TypeError, with the setting it probably meant.
 */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  overrides: ConfigInput = {},
): AuthorityConfig {
  checkOptions('loadConfig', overrides, SETTING_NAMES)
  const file = env.TESSERA_CONFIG ? readConfigFile(env.TESSERA_CONFIG) : {}
  const values: Record<string, unknown> = {}
  for (const [name, spec] of Object.entries(SETTINGS) as [SettingName, (typeof SETTINGS)[SettingName]][]) {
    const fromEnv = env[spec.env]
    const raw = Object.hasOwn(overrides, name)
      ? overrides[name]
      : fromEnv !== undefined && fromEnv !== ''
        ? fromEnv
        : Object.hasOwn(file, name)
          ? file[name]
          : undefined
    if (raw === undefined) {
      values[name] = spec.default
      continue
    }
    try {
      values[name] = spec.parse(raw as never)
    } catch (error) {
      if (!(error instanceof SettingError)) throw error
      throw new ConfigError(
        `invalid setting "${name}" (${spec.env}=${'secret' in spec ? '<not shown>' : JSON.stringify(raw)}): ${error.message}`,
      )
    }
  }
  return finish(values)
}

function finish(values: Record<string, unknown>): AuthorityConfig {
  const port = values.port as number
  const dataDir = resolve(values.dataDir as string)
  const accessTokenLifetime = values.accessTokenLifetime as number
  const clockTolerance = values.clockTolerance as number
  // Retired keys stay published as long as any token they signed, access or ID token, can live.
  const minimumRetire =
    Math.max(accessTokenLifetime, (values.idTokenLifetime as number | undefined) ?? 0) + clockTolerance
  const retirePeriod = (values.retirePeriod as number | undefined) ?? minimumRetire
  const issuer = (values.issuer as string | undefined) ?? `http://localhost:${port}`
  const config: AuthorityConfig = {
    ...(values as unknown as AuthorityConfig),
    issuer,
    webauthnRpId: (values.webauthnRpId as string | undefined) ?? new URL(issuer).hostname,
    webauthnOrigins: (values.webauthnOrigins as readonly string[] | undefined) ?? [new URL(issuer).origin],
    dataDir,
    databaseUrl: (values.databaseUrl as string | undefined) ?? `sqlite:${join(dataDir, 'tessera.db')}`,
    retirePeriod,
  }
  if (config.limitsStore === 'redis' && config.redisUrl === undefined) {
    throw new ConfigError(
      'invalid setting "limitsStore" (TESSERA_LIMITS_STORE=redis): needs TESSERA_REDIS_URL',
    )
  }
  // Cross-setting rules: each one is what keeps a rotation free of failed verifications.
  if (retirePeriod < minimumRetire) {
    throw new ConfigError(
      `invalid setting "retirePeriod" (TESSERA_RETIRE_PERIOD): must be at least the longest of accessTokenLifetime and idTokenLifetime, plus clockTolerance (${minimumRetire}s), or tokens signed by a retired key would outlive it`,
    )
  }
  if (config.jwksMaxAge >= config.publishLead) {
    throw new ConfigError(
      `invalid setting "jwksMaxAge" (TESSERA_JWKS_MAX_AGE): must be below publishLead (${config.publishLead}s), so caches see the next key before it signs`,
    )
  }
  if (config.publishLead >= config.rotationPeriod) {
    throw new ConfigError(
      `invalid setting "publishLead" (TESSERA_PUBLISH_LEAD): must be below rotationPeriod (${config.rotationPeriod}s)`,
    )
  }
  if (config.sessionIdleTimeout > config.sessionLifetime) {
    throw new ConfigError(
      `invalid setting "sessionIdleTimeout" (TESSERA_SESSION_IDLE_TIMEOUT): must not exceed sessionLifetime (${config.sessionLifetime}s)`,
    )
  }
  if (config.headersTimeout > config.requestTimeout) {
    throw new ConfigError(
      `invalid setting "headersTimeout" (TESSERA_HEADERS_TIMEOUT): must not exceed requestTimeout (${config.requestTimeout}s), which covers the headers too`,
    )
  }
  if (!/^(sqlite:|postgres:\/\/|postgresql:\/\/)/.test(config.databaseUrl)) {
    throw new ConfigError(
      'invalid setting "databaseUrl" (DATABASE_URL): must start with sqlite: or postgres://',
    )
  }
  return Object.freeze(config)
}
