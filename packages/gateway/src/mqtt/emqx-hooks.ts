import { mayPublish, maySubscribe } from './acl.js'
import { authenticateDevice, sessionDeadline } from './authenticate-device.js'
import { DeviceRefusal } from './device-identity.js'
import type { BrokerPluginContext, HookAnswer } from './plugin-context.js'
import { PluginSessions } from './plugin-sessions.js'

// EMQX 5 HTTP authentication and authorization. EMQX sends the body its configuration templates
// (see README: the gateway expects the fields below), and reads `result` from a 200 JSON answer.

const text = (value: unknown) => (typeof value === 'string' ? value : undefined)
const invalid = (message: string): HookAnswer => ({
  status: 400,
  body: { error: 'invalid_request', error_description: message },
})

/**
 * Authentication: `{ clientid, username, password }`. Allowed devices get `expire_at` (EMQX ≥ 5.8
 * disconnects the client then); everything else is an explicit `deny`, never `ignore`.
 */
export async function emqxAuthenticate(
  ctx: BrokerPluginContext,
  body: Record<string, unknown>,
): Promise<HookAnswer> {
  const clientId = text(body.clientid)
  if (clientId === undefined) return invalid('"clientid" is required')
  try {
    const identity = await authenticateDevice(ctx.auth, {
      clientId,
      username: text(body.username),
      password: text(body.password),
    })
    ctx.sessions.set(
      PluginSessions.key('', clientId),
      identity,
      sessionDeadline(identity, ctx.auth.clockTolerance),
    )
    ctx.emit({ type: 'connect', outcome: 'accepted' })
    return { status: 200, body: { result: 'allow', is_superuser: false, expire_at: identity.exp } }
  } catch (error) {
    if (!(error instanceof DeviceRefusal)) throw error
    ctx.emit({ type: 'connect', outcome: 'refused', reason: error.reason })
    return { status: 200, body: { result: 'deny' } }
  }
}

/** Authorization: `{ clientid, topic, action }` with action `publish` or `subscribe`. */
export function emqxAuthorize(ctx: BrokerPluginContext, body: Record<string, unknown>): HookAnswer {
  const clientId = text(body.clientid)
  const topic = text(body.topic)
  const action = text(body.action)
  if (clientId === undefined || topic === undefined) return invalid('"clientid" and "topic" are required')
  if (action !== 'publish' && action !== 'subscribe') return invalid('"action" must be publish or subscribe')
  const identity = ctx.live(PluginSessions.key('', clientId))
  const allowed =
    identity !== undefined &&
    (action === 'publish' ? mayPublish(identity.acl, topic) : maySubscribe(identity.acl, topic))
  if (!allowed) ctx.emit({ type: action === 'publish' ? 'publish_denied' : 'subscribe_denied' })
  return { status: 200, body: { result: allowed ? 'allow' : 'deny' } }
}
