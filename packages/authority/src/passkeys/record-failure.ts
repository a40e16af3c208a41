import type { FastifyRequest } from 'fastify'
import type { AuthorityContext } from '../authority-context.js'
import type { PasskeyError } from './passkey-error.js'

/**
 * Every refused passkey sign-in goes through here, and only here: it is audited
 * (`passkey.signin_failed`, with the reason code and the address) and handed back to be thrown.
 * A lockout or rate policy for passkey sign-ins hooks in at this one call.
 */
export function recordPasskeyFailure(
  ctx: AuthorityContext,
  request: FastifyRequest,
  error: PasskeyError,
  credentialId?: string,
): PasskeyError {
  ctx.audit.record('passkey.signin_failed', credentialId?.slice(0, 64) ?? '-', {
    reason: error.code,
    address: request.ip.slice(0, 100),
  })
  return error
}
