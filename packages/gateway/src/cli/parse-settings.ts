import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { BFF_DEFAULTS, type BffSettings } from '../bff/settings.js'
import { GatewayConfigError } from '../errors.js'
import { parseReportSettings } from '../metrics/report-settings.js'
import { parseMqttSettings } from '../mqtt/settings.js'
import { parseRoutes, RouteTable } from '../proxy/routes.js'
import type { GatewaySettings } from '../proxy/settings.js'
import { parseRevocationSettings } from '../revocation/settings.js'
import { readDecryptionKeys } from './read-decryption-keys.js'
import { CLIENT_SECRET_ENV, SETTINGS } from './settings-table.js'

type Raw = Record<string, string | boolean | undefined>

/** Flags over TESSERA_GATEWAY_* variables over defaults, by the settings table. */
export function readRawSettings(argv: readonly string[], env: NodeJS.ProcessEnv): Raw & { help?: boolean } {
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }> = {
    help: { type: 'boolean' },
  }
  for (const setting of SETTINGS)
    options[setting.flag] = setting.multiple ? { type: setting.kind, multiple: true } : { type: setting.kind }
  let values: Record<string, string | boolean | string[] | undefined>
  try {
    values = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false })
      .values as typeof values
  } catch (error) {
    throw new GatewayConfigError('arguments', (error as Error).message)
  }
  return { ...resolveRawSettings(values, env), help: values.help === true }
}

/**
 * The same resolution for flags another parser read (the `tessera gateway` command): `flags` maps
 * each table flag name (`issuer`, `jwks-uri`, …) to what was given, undefined when absent.
 */
export function resolveRawSettings(
  flags: Readonly<Record<string, string | boolean | readonly string[] | undefined>>,
  env: NodeJS.ProcessEnv,
): Raw {
  const raw: Raw = {}
  for (const setting of SETTINGS) {
    const given = flags[setting.flag]
    // A repeated flag becomes the same comma-separated list its variable holds.
    const fromFlag = Array.isArray(given) ? given.join(',') : (given as string | boolean | undefined)
    const fromEnv = env[setting.env]
    raw[setting.key] = fromFlag ?? (fromEnv === undefined || fromEnv === '' ? setting.default : fromEnv)
  }
  return raw
}

function required(raw: Raw, key: string): string {
  const value = raw[key]
  const setting = SETTINGS.find((item) => item.key === key)
  if (typeof value !== 'string' || value === '')
    throw new GatewayConfigError(`--${setting?.flag} / ${setting?.env}`, 'is required')
  return value
}

function flag(raw: Raw, key: string): boolean {
  const value = raw[key]
  if (typeof value === 'boolean') return value
  if (value === undefined || value === 'false' || value === '0') return false
  if (value === 'true' || value === '1') return true
  throw new GatewayConfigError(key, `must be true or false, not ${value}`)
}

function integer(raw: Raw, key: string, min: number, max: number): number {
  const value = Number(raw[key])
  if (!Number.isSafeInteger(value) || value < min || value > max)
    throw new GatewayConfigError(key, `must be a whole number from ${min} to ${max}`)
  return value
}

function url(value: string, key: string, allowHttp: boolean): string {
  let parsed: URL
  try {
    parsed = new URL(value)
  } catch {
    throw new GatewayConfigError(key, 'must be an absolute URL')
  }
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && allowHttp))
    throw new GatewayConfigError(key, 'must be https: (http: only with --allow-insecure-http)')
  return value
}

function list(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)
}

function readRoutes(path: string | undefined): RouteTable {
  if (path === undefined) return new RouteTable([])
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    throw new GatewayConfigError('routes', `cannot read ${path}: ${(error as Error).message}`)
  }
  try {
    return parseRoutes(JSON.parse(text))
  } catch (error) {
    if (error instanceof GatewayConfigError) throw error
    throw new GatewayConfigError('routes', `${path} is not JSON`)
  }
}

function readBff(raw: Raw, env: NodeJS.ProcessEnv, allowInsecureHttp: boolean): BffSettings {
  const secretFile = raw.bffClientSecretFile
  let clientSecret = env[CLIENT_SECRET_ENV]
  if (typeof secretFile === 'string') {
    try {
      clientSecret = readFileSync(secretFile, 'utf8').trim()
    } catch (error) {
      throw new GatewayConfigError('bff-client-secret-file', (error as Error).message)
    }
  }
  if (!clientSecret)
    throw new GatewayConfigError('bff-client-secret-file', `or ${CLIENT_SECRET_ENV} is required with --bff`)
  const origin = url(required(raw, 'bffPublicOrigin'), 'bff-public-origin', allowInsecureHttp)
  const parsed = new URL(origin)
  if (parsed.origin !== origin)
    throw new GatewayConfigError('bff-public-origin', 'must be an origin (no path, no trailing slash)')
  return {
    ...BFF_DEFAULTS,
    clientId: required(raw, 'bffClientId'),
    clientSecret,
    publicOrigin: origin,
    scope: typeof raw.bffScope === 'string' ? raw.bffScope : BFF_DEFAULTS.scope,
    resource: typeof raw.bffResource === 'string' ? raw.bffResource : undefined,
  }
}

/**
 * Validates the gateway's raw settings (flags, environment, config file) into GatewaySettings,
 * throwing GatewayConfigError naming the setting that cannot work.
 */
export function parseSettings(raw: Raw, env: NodeJS.ProcessEnv): GatewaySettings {
  const allowInsecureHttp = flag(raw, 'allowInsecureHttp')
  const metricsPort = raw.metricsPort === undefined ? undefined : integer(raw, 'metricsPort', 0, 65535)
  return {
    issuer: url(required(raw, 'issuer'), 'issuer', allowInsecureHttp),
    audience: list(required(raw, 'audience')),
    upstream: url(required(raw, 'upstream'), 'upstream', true),
    algorithms: list(required(raw, 'algorithms')),
    jwksUri: typeof raw.jwksUri === 'string' ? url(raw.jwksUri, 'jwks-uri', allowInsecureHttp) : undefined,
    typ: typeof raw.typ === 'string' ? raw.typ : undefined,
    clockTolerance: integer(raw, 'clockTolerance', 0, 300),
    host: required(raw, 'host'),
    port: integer(raw, 'port', 0, 65535),
    routes: readRoutes(typeof raw.routes === 'string' ? raw.routes : undefined),
    forwardAuthorization: flag(raw, 'forwardAuthorization'),
    forwardClaims: flag(raw, 'forwardClaims'),
    allowInsecureHttp,
    connectTimeoutMs: integer(raw, 'connectTimeout', 1, 600_000),
    upstreamTimeoutMs: integer(raw, 'upstreamTimeout', 1, 3_600_000),
    metricsPort,
    logLevel: required(raw, 'logLevel'),
    bff: flag(raw, 'bff') ? readBff(raw, env, allowInsecureHttp) : undefined,
    mqtt: parseMqttSettings(raw),
    revocation: parseRevocationSettings(raw, allowInsecureHttp),
    report: parseReportSettings(raw, env, allowInsecureHttp),
    ...readDecryption(raw),
  }
}

function readDecryption(raw: Raw): Pick<GatewaySettings, 'decryption' | 'tokenForm'> {
  const files = typeof raw.decryptionKey === 'string' ? list(raw.decryptionKey) : []
  const form = raw.tokenForm
  if (form !== undefined && form !== 'signed' && form !== 'encrypted' && form !== 'either')
    throw new GatewayConfigError('token-form', 'must be signed, encrypted or either')
  if (form !== undefined && form !== 'signed' && files.length === 0)
    throw new GatewayConfigError('token-form', `${form} needs --decryption-key`)
  return {
    decryption: files.length === 0 ? undefined : { keys: readDecryptionKeys(files) },
    tokenForm: form ?? (files.length === 0 ? 'signed' : 'encrypted'),
  }
}
