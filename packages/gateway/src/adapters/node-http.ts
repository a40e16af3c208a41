import type { IncomingMessage, ServerResponse } from 'node:http'
import type { TokenVerifier } from '../verify/create-token-verifier.js'
import type { Identity } from '../verify/identity.js'
import { sendRefusal } from './send-refusal.js'

/** A node:http handler that runs only after the token verified, with the identity it carries. */
export type VerifiedHandler = (request: IncomingMessage, response: ServerResponse, identity: Identity) => void

/**
 * Wraps a `node:http` handler: it runs only for a verified request, with the identity as third argument.
 *
 * @example
 * http.createServer(withTokenVerification(verifier, (req, res, identity) => res.end(identity.sub)))
 */
export function withTokenVerification(
  verifier: TokenVerifier,
  handler: VerifiedHandler,
  options: { scopes?: readonly string[] } = {},
): (request: IncomingMessage, response: ServerResponse) => void {
  const scopes = options.scopes ?? []
  return (request, response) => {
    verifier.verifyRequest(request, { scopes }).then(
      (result) => {
        if (result.ok) handler(request, response, result.identity)
        else sendRefusal(response, result.refusal)
      },
      (error: unknown) => {
        // Only a programmer mistake lands here (verifyRequest never throws for a bad token).
        response.destroy(error as Error)
      },
    )
  }
}
