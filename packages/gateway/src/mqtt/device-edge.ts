import type { GatewayLogger } from '../lib/log.js'
import type { GatewayMetrics } from '../metrics/gateway-metrics.js'
import type { GatewaySettings } from '../proxy/settings.js'
import { createRevocation, type RunningRevocation } from '../revocation/create-revocation.js'
import { registerRevocationMetrics } from '../revocation/revocation-metrics.js'
import { withRevocation } from '../revocation/with-revocation.js'
import { createTokenVerifier, type TokenVerifier } from '../verify/create-token-verifier.js'
import { decryptionOf } from '../verify/decryption.js'
import { registerMqttMetrics } from './mqtt-metrics.js'
import { type RunningMqtt, startMqtt } from './start-mqtt.js'

export interface DeviceEdgeAddresses {
  readonly mqttUrl: string | undefined
  readonly brokerHooksUrl: string | undefined
}

/**
 * What issue 15 adds to the gateway: revocation snapshots applied to every verification (HTTP and
 * MQTT), the embedded MQTT broker and the broker-plugin endpoints. Nothing runs until `listen`.
 */
export interface DeviceEdge {
  /** The HTTP verifier, with revocations applied when polling is configured. */
  readonly verifier: TokenVerifier
  readonly revocation: RunningRevocation | undefined
  readonly mqtt: RunningMqtt | undefined
  listen(log: GatewayLogger): Promise<DeviceEdgeAddresses>
  close(): Promise<void>
}

export function createDeviceEdge(
  settings: GatewaySettings,
  verifier: TokenVerifier,
  metrics: GatewayMetrics | undefined,
): DeviceEdge {
  let mqtt: RunningMqtt | undefined
  let log: GatewayLogger | undefined
  let lastFailure: string | undefined
  const revocation = settings.revocation
    ? createRevocation(settings.revocation, verifier, {
        algorithms: settings.algorithms,
        clockTolerance: settings.clockTolerance,
        // Log a failure once when it starts (or changes), not on every poll.
        onPoll: (result, code) => {
          countPoll?.(result)
          if (code !== undefined && code !== lastFailure)
            log?.warn({ code, result }, 'revocation snapshot not applied')
          lastFailure = code
        },
        afterPoll: () => mqtt?.disconnectRevoked(),
      })
    : undefined
  const countPoll =
    metrics && revocation ? registerRevocationMetrics(metrics.registry, revocation.state) : undefined
  const onMqttEvent = metrics && settings.mqtt ? registerMqttMetrics(metrics.registry) : undefined
  return {
    verifier: revocation ? withRevocation(verifier, revocation.state) : verifier,
    revocation,
    get mqtt() {
      return mqtt
    },
    async listen(logger) {
      log = logger
      revocation?.poller.start()
      if (settings.mqtt) {
        // Devices present RFC 9068 access tokens: over MQTT `typ: at+jwt` is required whatever --typ says.
        const mqttVerifier = createTokenVerifier({
          issuer: settings.issuer,
          audience: settings.audience,
          algorithms: settings.algorithms,
          clockTolerance: settings.clockTolerance,
          allowInsecureHttp: settings.allowInsecureHttp,
          typ: settings.typ ?? 'at+jwt',
          ...(settings.jwksUri !== undefined ? { jwksUri: settings.jwksUri } : {}),
          ...(metrics ? { onEvent: metrics.observe } : {}),
          ...decryptionOf(settings),
        })
        mqtt = await startMqtt(settings.mqtt, {
          verifier: mqttVerifier,
          isRevoked: revocation ? (claims) => revocation.state.isRevoked(claims) : undefined,
          clockTolerance: settings.clockTolerance,
          hooksHost: settings.host,
          ...(onMqttEvent ? { onEvent: onMqttEvent } : {}),
        })
      }
      const port = mqtt?.broker?.port
      const host = settings.mqtt?.host ?? settings.host
      return {
        mqttUrl:
          port === undefined ? undefined : `${settings.mqtt?.tls ? 'mqtts' : 'mqtt'}://${host}:${port}`,
        brokerHooksUrl: mqtt?.hooksUrl,
      }
    },
    async close() {
      revocation?.poller.stop()
      await mqtt?.close()
    },
  }
}
