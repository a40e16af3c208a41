import { GatewayConfigError } from '../errors.js'
import type { StalePolicy } from './revocation-state.js'

/** Revocation snapshots, when the gateway polls them (the CLI's `--revocations-url`). */
export interface RevocationSettings {
  readonly url: string
  readonly intervalMs: number
  /** Past this without a fresh snapshot, the stale policy applies. */
  readonly maxStalenessMs: number
  readonly onStale: StalePolicy
}

/** The CLI rows for revocation (the settings table includes them; same shape as its own). */
export const REVOCATION_SETTING_ROWS = [
  {
    key: 'revocationsUrl',
    flag: 'revocations-url',
    env: 'TESSERA_GATEWAY_REVOCATIONS_URL',
    kind: 'string',
    default: undefined,
    help: 'Poll this revocation snapshot (a Tessera authority serves it at /revocations); off when absent',
  },
  {
    key: 'revocationsInterval',
    flag: 'revocations-interval',
    env: 'TESSERA_GATEWAY_REVOCATIONS_INTERVAL',
    kind: 'string',
    default: '5',
    help: 'Seconds between snapshot polls',
  },
  {
    key: 'revocationsMaxStaleness',
    flag: 'revocations-max-staleness',
    env: 'TESSERA_GATEWAY_REVOCATIONS_MAX_STALENESS',
    kind: 'string',
    default: '60',
    help: 'Seconds without a fresh snapshot before --revocations-on-stale applies',
  },
  {
    key: 'revocationsOnStale',
    flag: 'revocations-on-stale',
    env: 'TESSERA_GATEWAY_REVOCATIONS_ON_STALE',
    kind: 'string',
    default: 'closed',
    help: 'closed: refuse every token (503, MQTT disconnects) while stale; open: accept them unchecked',
  },
] as const

function seconds(value: unknown, setting: string, min: number, max: number): number {
  const number = Number(value)
  if (!Number.isFinite(number) || number < min || number > max)
    throw new GatewayConfigError(setting, `must be a number of seconds from ${min} to ${max}`)
  return number * 1000
}

export function parseRevocationSettings(
  raw: Readonly<Record<string, string | boolean | undefined>>,
  allowInsecureHttp: boolean,
): RevocationSettings | undefined {
  const url = raw.revocationsUrl
  if (typeof url !== 'string' || url === '') return undefined
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new GatewayConfigError('revocations-url', 'must be an absolute URL')
  }
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && allowInsecureHttp))
    throw new GatewayConfigError('revocations-url', 'must be https: (http: only with --allow-insecure-http)')
  const onStale = raw.revocationsOnStale
  if (onStale !== 'closed' && onStale !== 'open')
    throw new GatewayConfigError('revocations-on-stale', 'must be closed or open')
  return {
    url,
    intervalMs: seconds(raw.revocationsInterval, 'revocations-interval', 0.1, 3600),
    maxStalenessMs: seconds(raw.revocationsMaxStaleness, 'revocations-max-staleness', 1, 86_400),
    onStale,
  }
}
