import { mayPublish, maySubscribe } from './acl.js'
import { authenticateDevice, sessionDeadline } from './authenticate-device.js'
import { DeviceRefusal } from './device-identity.js'
import type { BrokerPluginContext, HookAnswer } from './plugin-context.js'
import { PluginSessions } from './plugin-sessions.js'

// VerneMQ's webhooks (vmq_webhooks): a POST per hook, named in the `vernemq-hook` header, answered
// 200 with `{"result": "ok"}` or `{"result": {"error": "..."}}`. The gateway never answers "next":
// a device it cannot vouch for is refused rather than handed to another plugin.

const text = (value: unknown) => (typeof value === 'string' ? value : undefined)
const NOT_ALLOWED: HookAnswer = { status: 200, body: { result: { error: 'not_allowed' } } }
const OK: HookAnswer = { status: 200, body: { result: 'ok' } }
const invalid = (message: string): HookAnswer => ({
  status: 400,
  body: { error: 'invalid_request', error_description: message },
})
/** MQTT 3.1.1 SUBACK failure: VerneMQ takes it in `topics` for a refused subscription. */
const REFUSED_QOS = 128
const MAX_TOPICS = 100

function sessionKey(body: Record<string, unknown>): string | undefined {
  const clientId = text(body.client_id)
  return clientId === undefined ? undefined : PluginSessions.key(text(body.mountpoint) ?? '', clientId)
}

/** `auth_on_register`: `{ peer_addr, peer_port, username, password, mountpoint, client_id, clean_session }`. */
async function authOnRegister(ctx: BrokerPluginContext, body: Record<string, unknown>): Promise<HookAnswer> {
  const key = sessionKey(body)
  if (key === undefined) return invalid('"client_id" is required')
  try {
    const identity = await authenticateDevice(ctx.auth, {
      clientId: text(body.client_id) as string,
      username: text(body.username),
      password: text(body.password),
    })
    ctx.sessions.set(key, identity, sessionDeadline(identity, ctx.auth.clockTolerance))
    ctx.emit({ type: 'connect', outcome: 'accepted' })
    return OK
  } catch (error) {
    if (!(error instanceof DeviceRefusal)) throw error
    ctx.sessions.delete(key)
    ctx.emit({ type: 'connect', outcome: 'refused', reason: error.reason })
    return { status: 200, body: { result: { error: 'invalid_credentials' } } }
  }
}

/** `auth_on_publish`: `{ username, client_id, mountpoint, qos, topic, payload, retain }`. */
function authOnPublish(ctx: BrokerPluginContext, body: Record<string, unknown>): HookAnswer {
  const key = sessionKey(body)
  const topic = text(body.topic)
  if (key === undefined || topic === undefined) return invalid('"client_id" and "topic" are required')
  const identity = ctx.live(key)
  if (identity !== undefined && mayPublish(identity.acl, topic)) return OK
  ctx.emit({ type: 'publish_denied' })
  return NOT_ALLOWED
}

/**
 * `auth_on_subscribe`: `{ username, client_id, mountpoint, topics: [{ topic, qos }] }`. When some
 * filters are refused, the answer lists every filter, the refused ones with qos 128.
 */
function authOnSubscribe(ctx: BrokerPluginContext, body: Record<string, unknown>): HookAnswer {
  const key = sessionKey(body)
  const topics = body.topics
  if (key === undefined || !Array.isArray(topics) || topics.length === 0 || topics.length > MAX_TOPICS) {
    return invalid(`"client_id" and 1 to ${MAX_TOPICS} "topics" are required`)
  }
  const identity = ctx.live(key)
  if (identity === undefined) {
    ctx.emit({ type: 'subscribe_denied' })
    return NOT_ALLOWED
  }
  let refused = 0
  const granted = topics.map((entry: unknown) => {
    const { topic, qos } = (entry ?? {}) as { topic?: unknown; qos?: unknown }
    const ok = typeof topic === 'string' && maySubscribe(identity.acl, topic)
    if (!ok) refused++
    return { topic, qos: ok ? qos : REFUSED_QOS }
  })
  for (let i = 0; i < refused; i++) ctx.emit({ type: 'subscribe_denied' })
  return refused === 0 ? OK : { status: 200, body: { result: 'ok', topics: granted } }
}

export const VERNEMQ_HOOKS: Readonly<
  Record<
    string,
    (ctx: BrokerPluginContext, body: Record<string, unknown>) => HookAnswer | Promise<HookAnswer>
  >
> = Object.freeze({
  auth_on_register: authOnRegister,
  auth_on_publish: authOnPublish,
  auth_on_subscribe: authOnSubscribe,
})
