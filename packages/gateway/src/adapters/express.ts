import type { IncomingMessage, ServerResponse } from 'node:http'
import type { TokenVerifier } from '../verify/create-token-verifier.js'
import type { Identity } from '../verify/identity.js'
import { sendRefusal } from './send-refusal.js'

/** Options of tokenVerifierMiddleware (Express and Connect). */
export interface ConnectMiddlewareOptions {
  /** Scopes every request through this middleware needs. */
  scopes?: readonly string[]
}

/**
 * Express/Connect middleware: `req.identity` on success, the RFC 6750 answer otherwise.
 *
 * @example
 * app.get('/orders', tokenVerifierMiddleware(verifier, { scopes: ['orders:read'] }), (req, res) => res.json(req.identity.sub))
 */
export function tokenVerifierMiddleware(verifier: TokenVerifier, options: ConnectMiddlewareOptions = {}) {
  const scopes = options.scopes ?? []
  return (
    request: IncomingMessage & { identity?: Identity },
    response: ServerResponse,
    next: (error?: unknown) => void,
  ): void => {
    verifier.verifyRequest(request, { scopes }).then((result) => {
      if (!result.ok) return sendRefusal(response, result.refusal)
      request.identity = result.identity
      next()
    }, next)
  }
}
