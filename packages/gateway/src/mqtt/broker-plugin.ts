import type { IncomingMessage, ServerResponse } from 'node:http'
import type { DeviceAuthOptions } from './authenticate-device.js'
import type { MqttEvent } from './broker.js'
import { emqxAuthenticate, emqxAuthorize } from './emqx-hooks.js'
import type { BrokerPluginContext, HookAnswer } from './plugin-context.js'
import { PluginSessions } from './plugin-sessions.js'
import { VERNEMQ_HOOKS } from './vernemq-hooks.js'

/** Where the brokers are pointed (see the README for their configuration). */
export const BROKER_PLUGIN_PATHS = {
  emqxAuthentication: '/mqtt/emqx/authenticate',
  emqxAuthorization: '/mqtt/emqx/authorize',
  vernemq: '/mqtt/vernemq',
} as const

const MAX_BODY = 64 * 1024

export interface BrokerPluginOptions {
  readonly auth: DeviceAuthOptions
  readonly onEvent?: (event: MqttEvent) => void
}

/** The hook endpoints' logic over one verifier and the same ACL check as the embedded broker. */
export function createBrokerPlugin(options: BrokerPluginOptions): {
  handle(
    path: string,
    headers: Readonly<Record<string, string | string[] | undefined>>,
    body: unknown,
  ): Promise<HookAnswer>
} {
  const sessions = new PluginSessions(options.auth.now)
  const ctx: BrokerPluginContext = {
    auth: options.auth,
    sessions,
    live(key) {
      const identity = sessions.get(key)
      if (identity && options.auth.isRevoked?.(identity.claims)) {
        sessions.delete(key)
        return undefined
      }
      return identity
    },
    emit: options.onEvent ?? (() => {}),
  }
  return {
    async handle(path, headers, body) {
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        return {
          status: 400,
          body: { error: 'invalid_request', error_description: 'the body must be a JSON object' },
        }
      }
      const record = body as Record<string, unknown>
      if (path === BROKER_PLUGIN_PATHS.emqxAuthentication) return emqxAuthenticate(ctx, record)
      if (path === BROKER_PLUGIN_PATHS.emqxAuthorization) return emqxAuthorize(ctx, record)
      if (path === BROKER_PLUGIN_PATHS.vernemq) {
        const hook = headers['vernemq-hook']
        const handler =
          typeof hook === 'string' && Object.hasOwn(VERNEMQ_HOOKS, hook) ? VERNEMQ_HOOKS[hook] : undefined
        if (!handler)
          return {
            status: 400,
            body: { error: 'invalid_request', error_description: 'unsupported vernemq-hook' },
          }
        return handler(ctx, record)
      }
      return { status: 404, body: { error: 'invalid_request', error_description: 'no such endpoint' } }
    },
  }
}

/** The endpoints as a `node:http` handler: JSON in (at most 64 KiB), JSON out, POST only. */
export function brokerPluginHandler(
  plugin: ReturnType<typeof createBrokerPlugin>,
): (request: IncomingMessage, response: ServerResponse) => void {
  const send = (response: ServerResponse, answer: HookAnswer) => {
    response
      .writeHead(answer.status, { 'content-type': 'application/json', 'cache-control': 'no-store' })
      .end(JSON.stringify(answer.body))
  }
  return (request, response) => {
    const path = new URL(request.url ?? '/', 'http://gateway').pathname
    if (request.method !== 'POST') {
      send(response, { status: 405, body: { error: 'invalid_request', error_description: 'POST only' } })
      return
    }
    if (!request.headers['content-type']?.toLowerCase().startsWith('application/json')) {
      send(response, {
        status: 415,
        body: { error: 'invalid_request', error_description: 'the body must be JSON' },
      })
      return
    }
    const chunks: Buffer[] = []
    let size = 0
    request.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > MAX_BODY) {
        send(response, {
          status: 413,
          body: { error: 'invalid_request', error_description: 'body too large' },
        })
        request.destroy()
        return
      }
      chunks.push(chunk)
    })
    request.on('end', () => {
      if (response.headersSent) return
      let body: unknown
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'))
      } catch {
        send(response, {
          status: 400,
          body: { error: 'invalid_request', error_description: 'malformed JSON' },
        })
        return
      }
      plugin.handle(path, request.headers, body).then(
        (answer) => send(response, answer),
        () =>
          send(response, {
            status: 500,
            body: { error: 'server_error', error_description: 'internal error' },
          }),
      )
    })
  }
}
