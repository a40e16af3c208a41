import { readFileSync } from 'node:fs'
import { GatewayConfigError } from '../errors.js'

/** The embedded broker and the broker-plugin endpoints, as the CLI configures them. */
export interface MqttSettings {
  /** Undefined: no embedded broker. */
  readonly port: number | undefined
  readonly host: string
  readonly tls: { readonly key: Buffer; readonly cert: Buffer } | undefined
  readonly username: 'device-id' | 'ignored'
  readonly clientIdIsSubject: boolean
  /** EMQX / VerneMQ hook endpoints on this port; undefined: off. */
  readonly hooksPort: number | undefined
}

const row = (
  key: string,
  flag: string,
  kind: 'string' | 'boolean',
  defaultValue: string | undefined,
  help: string,
) =>
  ({
    key,
    flag,
    env: `TESSERA_GATEWAY_${flag.toUpperCase().replace(/-/g, '_')}`,
    kind,
    default: defaultValue,
    help,
  }) as const

/** The CLI rows for MQTT (the settings table includes them; same shape as its own). */
export const MQTT_SETTING_ROWS = [
  row('mqttPort', 'mqtt-port', 'string', undefined, 'Embedded MQTT broker on this port (off when absent)'),
  row(
    'mqttHost',
    'mqtt-host',
    'string',
    '127.0.0.1',
    'Address the broker listens on (beyond loopback needs TLS)',
  ),
  row('mqttTlsKey', 'mqtt-tls-key', 'string', undefined, 'MQTT over TLS: PEM private key file'),
  row('mqttTlsCert', 'mqtt-tls-cert', 'string', undefined, 'MQTT over TLS: PEM certificate chain file'),
  row(
    'mqttUsername',
    'mqtt-username',
    'string',
    'device-id',
    'device-id (the username must be the token sub) or ignored',
  ),
  row(
    'mqttClientIdIsSubject',
    'mqtt-client-id-is-subject',
    'string',
    'true',
    'The MQTT client id must be the token sub',
  ),
  row(
    'brokerHooksPort',
    'broker-hooks-port',
    'string',
    undefined,
    'EMQX HTTP auth and VerneMQ webhook endpoints on this port',
  ),
] as const

function port(value: unknown, setting: string): number | undefined {
  if (value === undefined || value === '') return undefined
  const number = Number(value)
  if (!Number.isSafeInteger(number) || number < 0 || number > 65_535)
    throw new GatewayConfigError(setting, 'must be a whole number from 0 to 65535')
  return number
}

function readPem(path: unknown, setting: string): Buffer | undefined {
  if (typeof path !== 'string' || path === '') return undefined
  try {
    return readFileSync(path)
  } catch (error) {
    throw new GatewayConfigError(setting, `cannot read ${path}: ${(error as Error).message}`)
  }
}

export function parseMqttSettings(
  raw: Readonly<Record<string, string | boolean | undefined>>,
): MqttSettings | undefined {
  const mqttPort = port(raw.mqttPort, 'mqtt-port')
  const hooksPort = port(raw.brokerHooksPort, 'broker-hooks-port')
  if (mqttPort === undefined && hooksPort === undefined) return undefined
  const key = readPem(raw.mqttTlsKey, 'mqtt-tls-key')
  const cert = readPem(raw.mqttTlsCert, 'mqtt-tls-cert')
  if ((key === undefined) !== (cert === undefined))
    throw new GatewayConfigError('mqtt-tls-key', 'and --mqtt-tls-cert go together')
  const host = typeof raw.mqttHost === 'string' ? raw.mqttHost : '127.0.0.1'
  if (!key && !['127.0.0.1', '::1', 'localhost'].includes(host))
    throw new GatewayConfigError(
      'mqtt-host',
      'beyond loopback the broker needs --mqtt-tls-key and --mqtt-tls-cert',
    )
  const username = raw.mqttUsername
  if (username !== 'device-id' && username !== 'ignored')
    throw new GatewayConfigError('mqtt-username', 'must be device-id or ignored')
  const clientIdIsSubject = raw.mqttClientIdIsSubject
  if (clientIdIsSubject !== 'true' && clientIdIsSubject !== 'false')
    throw new GatewayConfigError('mqtt-client-id-is-subject', 'must be true or false')
  return {
    port: mqttPort,
    host,
    tls: key && cert ? { key, cert } : undefined,
    username,
    clientIdIsSubject: clientIdIsSubject === 'true',
    hooksPort,
  }
}
