import { createServer, type Server } from 'node:http'
import type { TokenVerifier } from '../verify/create-token-verifier.js'
import { createMqttBroker, type MqttBroker, type MqttEvent } from './broker.js'
import { brokerPluginHandler, createBrokerPlugin } from './broker-plugin.js'
import type { IsRevoked, VerifyAccessToken } from './device-identity.js'
import type { MqttSettings } from './settings.js'

export interface RunningMqtt {
  readonly broker: MqttBroker | undefined
  /** The broker-plugin endpoints' base URL, when they listen. */
  readonly hooksUrl: string | undefined
  /** Ends the sessions whose tokens are now revoked (after each revocation poll). */
  disconnectRevoked(): void
  close(): Promise<void>
}

/** The gateway's verifier as the broker wants it: claims, or a throw carrying the refusal reason. */
export function verifyWith(verifier: TokenVerifier): VerifyAccessToken {
  return async (token) => {
    const result = await verifier.verify(token)
    if (!result.ok) throw Object.assign(new Error(result.reason), { code: result.reason })
    return result.identity.claims
  }
}

/** Starts the embedded broker and the broker-plugin endpoints that the settings ask for. */
export async function startMqtt(
  settings: MqttSettings,
  options: {
    verifier: TokenVerifier
    isRevoked: IsRevoked | undefined
    clockTolerance: number
    hooksHost: string
    onEvent?: (event: MqttEvent) => void
  },
): Promise<RunningMqtt> {
  const auth = {
    verify: verifyWith(options.verifier),
    username: settings.username,
    clientIdIsSubject: settings.clientIdIsSubject,
    clockTolerance: options.clockTolerance,
    ...(options.isRevoked ? { isRevoked: options.isRevoked } : {}),
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
  }
  const broker =
    settings.port === undefined
      ? undefined
      : await createMqttBroker({
          ...auth,
          port: settings.port,
          host: settings.host,
          ...(settings.tls ? { tls: settings.tls } : {}),
        })
  let hooks: Server | undefined
  let hooksUrl: string | undefined
  if (settings.hooksPort !== undefined) {
    const plugin = createBrokerPlugin({
      auth: { ...auth, now: Date.now },
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    })
    const server = createServer(brokerPluginHandler(plugin))
    hooks = server
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(settings.hooksPort, options.hooksHost, () => resolve())
    })
    const address = server.address()
    const host = options.hooksHost.includes(':') ? `[${options.hooksHost}]` : options.hooksHost
    hooksUrl = `http://${host}:${typeof address === 'object' && address ? address.port : settings.hooksPort}`
  }
  return {
    broker,
    hooksUrl,
    disconnectRevoked() {
      broker?.disconnectRevoked()
    },
    async close() {
      await broker?.close()
      if (hooks) await new Promise((resolve) => hooks?.close(resolve))
    },
  }
}
