import { readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import { SETTINGS } from '../src/cli/settings-table.js'
import * as gateway from '../src/index.js'

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8')

describe('README and code agree', () => {
  test('every refusal reason has its exact row', () => {
    for (const [reason, answer] of Object.entries(gateway.REFUSALS)) {
      const row = `| \`${reason}\` | ${answer.status} | ${answer.error ? `\`${answer.error}\`` : '—'} | ${answer.description ?? '—'} |`
      expect(README).toContain(row)
    }
  })

  test('every setting has its exact row', () => {
    for (const setting of SETTINGS) {
      expect(README).toContain(
        `| \`--${setting.flag}\` | \`${setting.env}\` | ${setting.default ?? '—'} | ${setting.help} |`,
      )
    }
  })

  test('the public API is exactly these names (a change shows in review)', () => {
    expect(Object.keys(gateway).sort()).toEqual([
      'BROKER_PLUGIN_PATHS',
      'CLIENT_SECRET_ENV',
      'CONNACK',
      'DiscoveryError',
      'GATEWAY_SETTINGS',
      'GatewayConfigError',
      'GatewayMetrics',
      'MemorySessionStore',
      'REFUSALS',
      'REFUSAL_REASONS',
      'RefusalReporter',
      'RevocationError',
      'RevocationPoller',
      'RevocationState',
      'RouteTable',
      'SNAPSHOT_TYP',
      'brokerPluginHandler',
      'createBrokerPlugin',
      'createGateway',
      'createMqttBroker',
      'createSnapshotVerifier',
      'createTokenVerifier',
      'fastifyTokenVerifier',
      'filterCovers',
      'isValidTopicFilter',
      'isValidTopicName',
      'mayPublish',
      'maySubscribe',
      'parseAclClaim',
      'parseRoutes',
      'parseSettings',
      'readRawSettings',
      'resolveRawSettings',
      'runGateway',
      'tokenVerifierMiddleware',
      'verifyWith',
      'withRevocation',
      'withTokenVerification',
    ])
  })
})
