import type { FastifyReply, FastifyRequest } from 'fastify'
import { replyWithRefusal } from '../adapters/fastify.js'
import type { BffSessions } from '../bff/bff-sessions.js'
import type { GatewayLogger } from '../lib/log.js'
import type { GatewayMetrics } from '../metrics/gateway-metrics.js'
import type { RequestVerification, TokenVerifier } from '../verify/create-token-verifier.js'
import type { Identity } from '../verify/identity.js'
import { isAmbiguousPath, type RouteTable } from './routes.js'

/** What the gateway learned about a request, for the header rewrite that follows. */
export interface Admission {
  identity: Identity | undefined
  /** The token to send upstream in BFF mode (from the session, not from the client). */
  sessionToken: string | undefined
}

declare module 'fastify' {
  interface FastifyRequest {
    /** What the authenticate hook admitted; read by the header rewrite on the way upstream. */
    tesseraAdmission: Admission | null
  }
}

export function admissionOf(request: { tesseraAdmission?: Admission | null }): Admission | undefined {
  return request.tesseraAdmission ?? undefined
}

const PUBLIC: Admission = Object.freeze({ identity: undefined, sessionToken: undefined })

export interface AuthenticateOptions {
  verifier: TokenVerifier
  routes: RouteTable
  metrics: GatewayMetrics | undefined
  bff: BffSessions | undefined
  log: GatewayLogger
}

function pathOf(url: string): string {
  const query = url.indexOf('?')
  return query === -1 ? url : url.slice(0, query)
}

/**
 * The gateway's pipeline for one request, as an onRequest hook: route rule → credentials (a bearer
 * token, or in BFF mode the session cookie after the CSRF checks) → verification → scopes. Every
 * refusal is answered here, logged once with its reason and counted; an admitted request continues
 * to the proxy with its identity.
 */
export function createAuthenticateHook(options: AuthenticateOptions) {
  const { verifier, routes, metrics, bff, log } = options
  return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    const path = pathOf(request.url)
    if (bff?.ownsPath(path)) return undefined
    if (isAmbiguousPath(path)) {
      log.info({ reason: 'ambiguous_path', status: 400, method: request.method }, 'request refused')
      metrics?.request('refused', 'malformed_header')
      reply.code(400).type('application/json; charset=utf-8').send({
        error: 'invalid_request',
        error_description: 'the path has dot segments or encoded separators',
      })
      return reply
    }
    const rule = routes.match(request.method, path)
    if (rule.public) {
      metrics?.request('public')
      request.tesseraAdmission = PUBLIC
      return undefined
    }
    let result: RequestVerification
    let sessionToken: string | undefined
    if (bff?.carriesSession(request)) {
      const session = await bff.authenticate(request, rule.scopes)
      result = session
      if (session.ok) sessionToken = session.token
    } else {
      result = await verifier.verifyRequest(request, { scopes: rule.scopes })
    }
    if (!result.ok) {
      const { refusal } = result
      log.info(
        { reason: refusal.reason, status: refusal.status, method: request.method, path },
        'request refused',
      )
      metrics?.request('refused', refusal.reason)
      return replyWithRefusal(reply, refusal)
    }
    metrics?.request('allowed')
    request.tesseraAdmission = { identity: result.identity, sessionToken }
    return undefined
  }
}
