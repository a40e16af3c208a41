import type { FastifyRequest } from 'fastify'
import type { AuthorityContext } from '../authority-context.js'
import { signInMessage } from '../email/sign-in-message.js'
import { lockedPage } from '../lockout/locked-answer.js'
import { PageError } from '../pages/page-error.js'
import { PROOF_LIFETIME_MS } from './email-proof.js'
import type { PreLogin } from './pre-login.js'

function tooMany(wait: number): PageError {
  const minutes = Math.max(1, Math.ceil(wait / 60))
  return new PageError(
    'too_many_requests',
    `Too many sign-in emails were asked for. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`,
    { headers: { 'retry-after': String(wait) } },
  )
}

/**
 * Issues a fresh proof for the flow (replacing any earlier one: a new code invalidates the old) and
 * sends the email when the address may sign in. Known and unknown addresses cost the same writes
 * and the same rate-limit charge; the mail goes out after the answer, so timing says nothing either.
 */
export async function issueProof(
  request: FastifyRequest,
  ctx: AuthorityContext,
  preLogin: PreLogin,
  email: string,
  returnTo: string,
): Promise<void> {
  // A locked account or address gets no more mail: the lock is the answer, for known and unknown
  // addresses alike, and nothing is charged or stored.
  const lock = await ctx.lockout.check({ account: email, ip: request.ip })
  if (lock !== undefined) {
    requested(ctx, request, email, 'locked')
    throw lockedPage(lock)
  }
  const wait = await ctx.signin.sendLimits.take(email, request.ip)
  if (wait > 0) {
    requested(ctx, request, email, 'limited')
    throw tooMany(wait)
  }
  const now = ctx.clock.now()
  const proof = ctx.signin.proofs.fresh()
  await ctx.storage.saveSignInFlow({
    id: preLogin.flowId,
    email,
    returnTo,
    codeHash: proof.codeHash,
    linkHash: proof.linkHash,
    attempts: 0,
    issuedAt: now,
    expiresAt: now + PROOF_LIFETIME_MS,
    consumedAt: null,
    address: request.ip.slice(0, 100),
  })
  if (!(await ctx.users.maySignIn(email))) {
    requested(ctx, request, email, 'not_sent')
    return
  }
  requested(ctx, request, email, 'sent')
  const message = signInMessage({
    to: email,
    code: proof.code,
    link: `${ctx.config.issuer}/signin/link?token=${proof.linkToken}`,
    issuer: ctx.config.issuer,
    validMinutes: PROOF_LIFETIME_MS / 60_000,
  })
  ctx.mailer.send(message).then(
    () => ctx.audit.record('email.sent', email, { kind: 'signin', result: 'sent' }),
    (error: unknown) => {
      ctx.audit.record('email.sent', email, { kind: 'signin', result: 'failed' })
      ctx.log.error({ err: error }, 'sign-in email failed')
    },
  )
}

/**
 * Every request for a sign-in email, with what became of it (`sent`, `not_sent` for an address that
 * may not sign in, `limited` by the send limits, `locked`): the email-flood rules count these.
 */
function requested(
  ctx: AuthorityContext,
  request: FastifyRequest,
  email: string,
  outcome: 'sent' | 'not_sent' | 'limited' | 'locked',
): void {
  ctx.audit.record('signin.email_requested', email, { address: request.ip, outcome })
}
