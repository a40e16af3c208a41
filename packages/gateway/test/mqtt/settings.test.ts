import { describe, expect, it } from 'vitest'
import { readRawSettings } from '../../src/cli/parse-settings.js'
import { GatewayConfigError } from '../../src/errors.js'
import { parseMqttSettings } from '../../src/mqtt/settings.js'
import { parseRevocationSettings } from '../../src/revocation/settings.js'

const raw = (...args: string[]) => readRawSettings(args, {})

/** The CLI's MQTT and revocation settings: defaults, and start-up errors that name the flag. */
describe('MQTT and revocation settings', () => {
  it('are off unless asked for, with the documented defaults when on', () => {
    expect(parseMqttSettings(raw())).toBeUndefined()
    expect(parseRevocationSettings(raw(), false)).toBeUndefined()
    expect(parseMqttSettings(raw('--mqtt-port', '1883'))).toEqual({
      port: 1883,
      host: '127.0.0.1',
      tls: undefined,
      username: 'device-id',
      clientIdIsSubject: true,
      hooksPort: undefined,
    })
    expect(
      parseRevocationSettings(raw('--revocations-url', 'https://id.example/revocations'), false),
    ).toEqual({
      url: 'https://id.example/revocations',
      intervalMs: 5000,
      maxStalenessMs: 60_000,
      onStale: 'closed',
    })
  })

  it('refuse what cannot work, naming the setting', () => {
    const fails = (run: () => unknown, setting: string) => {
      try {
        run()
      } catch (error) {
        expect(error).toBeInstanceOf(GatewayConfigError)
        expect((error as GatewayConfigError).setting).toBe(setting)
        return
      }
      throw new Error(`${setting} was accepted`)
    }
    fails(() => parseMqttSettings(raw('--mqtt-port', '1883', '--mqtt-host', '0.0.0.0')), 'mqtt-host')
    fails(() => parseMqttSettings(raw('--mqtt-port', '70000')), 'mqtt-port')
    fails(() => parseMqttSettings(raw('--mqtt-port', '1', '--mqtt-username', 'anything')), 'mqtt-username')
    fails(() => parseMqttSettings(raw('--mqtt-port', '1', '--mqtt-tls-key', '/nonexistent')), 'mqtt-tls-key')
    fails(
      () => parseRevocationSettings(raw('--revocations-url', 'http://id.example/r'), false),
      'revocations-url',
    )
    fails(
      () =>
        parseRevocationSettings(
          raw('--revocations-url', 'https://a/r', '--revocations-on-stale', 'maybe'),
          false,
        ),
      'revocations-on-stale',
    )
    fails(
      () =>
        parseRevocationSettings(
          raw('--revocations-url', 'https://a/r', '--revocations-interval', '0'),
          false,
        ),
      'revocations-interval',
    )
  })
})
