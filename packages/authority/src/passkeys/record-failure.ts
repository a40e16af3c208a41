import type { FastifyRequest } from 'fastify'
import type { AuthorityContext } from '../authority-context.js'
import type { Lock } from '../lockout/lockout.js'
import type { PasskeyError } from './passkey-error.js'

/** Credential ids are at most 1,364 base64url characters (WebAuthn §5.1); longer names nothing. */
const MAX_CREDENTIAL_ID = 1400

/**
 * Every refused passkey sign-in goes through here, and only here: the lockout counts it against the
 * address and, when the answer names a known credential, against that credential's owner (the
 * account of a passkey sign-in is its user id), and audits it as `signin.failed` with
 * `method: "passkey"`, the reason code and the credential. Returns the lock it brought on, if any.
 */
export async function recordPasskeyFailure(
  ctx: AuthorityContext,
  request: FastifyRequest,
  error: PasskeyError,
  credentialId?: string,
): Promise<Lock | undefined> {
  const known =
    credentialId !== undefined && credentialId.length <= MAX_CREDENTIAL_ID
      ? await ctx.storage.findPasskey(credentialId)
      : undefined
  return ctx.lockout.recordFailure(
    { method: 'passkey', account: known?.userId, ip: request.ip },
    { reason: error.code, ...(credentialId === undefined ? {} : { credential: credentialId.slice(0, 64) }) },
  )
}
