import type { DeviceAuthOptions } from './authenticate-device.js'
import type { MqttEvent } from './broker.js'
import type { DeviceIdentity } from './device-identity.js'
import type { PluginSessions } from './plugin-sessions.js'

/** A hook's answer: the HTTP status and the JSON body the broker reads. */
export interface HookAnswer {
  readonly status: number
  readonly body: Record<string, unknown>
}

/** What every broker-plugin hook shares: the verifier's options, the sessions and the events. */
export interface BrokerPluginContext {
  readonly auth: DeviceAuthOptions
  readonly sessions: PluginSessions
  /** The session's identity if its token is live and not revoked. */
  live(key: string): DeviceIdentity | undefined
  emit(event: MqttEvent): void
}
