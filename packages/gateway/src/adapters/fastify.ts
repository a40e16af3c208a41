import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import fastifyPlugin from 'fastify-plugin'
import type { TokenVerifier } from '../verify/create-token-verifier.js'
import type { Identity } from '../verify/identity.js'
import type { Refusal } from '../verify/refusal.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified identity, set by @tessera/gateway's plugin on protected routes. */
    identity: Identity | null
  }
  interface RouteShorthandOptions {
    /** Scopes this route needs (all of them). */
    scopes?: readonly string[]
    /** No token needed on this route. */
    public?: boolean
  }
}

/** Options of the fastifyTokenVerifier plugin. */
export interface FastifyTokenVerifierOptions {
  verifier: TokenVerifier
  /** Called for each refusal (a log line, say). */
  onRefusal?: (request: FastifyRequest, refusal: Refusal) => void
}

export function replyWithRefusal(reply: FastifyReply, refusal: Refusal): FastifyReply {
  reply.code(refusal.status).headers(refusal.headers)
  return refusal.body ? reply.send(refusal.body) : reply.send()
}

/**
 * Every route registered after this plugin needs a valid bearer token, unless it says
 * `{ public: true }`; `{ scopes: [...] }` adds the scopes it needs. Fail closed: forgetting an
 * option protects a route, never exposes it.
 *
 * @example
 * await app.register(fastifyTokenVerifier, { verifier })
 * app.get('/orders', { scopes: ['orders:read'] }, async (request) => request.identity?.sub)
 */
const plugin: FastifyPluginAsync<FastifyTokenVerifierOptions> = async (app, options) => {
  const { verifier, onRefusal } = options
  app.decorateRequest('identity', null)
  app.addHook('onRoute', (route) => {
    if (route.public === true) return
    const scopes = route.scopes ?? []
    if (!Array.isArray(scopes) || scopes.some((scope) => typeof scope !== 'string'))
      throw new TypeError(`"scopes" of route ${route.url} must be an array of strings`)
    const check = async (request: FastifyRequest, reply: FastifyReply) => {
      const result = await verifier.verifyRequest(request, { scopes })
      if (result.ok) {
        request.identity = result.identity
        return
      }
      onRefusal?.(request, result.refusal)
      return replyWithRefusal(reply, result.refusal)
    }
    const existing = route.onRequest
    route.onRequest =
      existing === undefined ? [check] : [check, ...(Array.isArray(existing) ? existing : [existing])]
  })
}

/**
 * A Fastify plugin that verifies the bearer token of every request (or of the routes that ask) and
 * answers refusals with the exact RFC 6750 status and WWW-Authenticate header.
 */
export const fastifyTokenVerifier = fastifyPlugin(plugin, { fastify: '5.x', name: '@tessera/gateway' })
