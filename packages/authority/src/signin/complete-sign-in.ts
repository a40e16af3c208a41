import type { FastifyReply, FastifyRequest } from 'fastify'
import type { AuthorityContext } from '../authority-context.js'
import { PageError } from '../pages/page-error.js'
import { clearCookie, readCookie, setCookie } from '../sessions/cookies.js'
import type { SignInFlowRecord, UserRecord } from '../storage/types.js'

/**
 * The end of every successful email proof: the user (created on first sign-in when open sign-up
 * allows), a brand-new session — whatever session cookie the browser had is ended, never reused,
 * so an attacker who planted one gains nothing — the pre-login cookie dropped, and a 303 to where
 * the browser was going.
 */
export async function completeSignIn(
  request: FastifyRequest,
  reply: FastifyReply,
  ctx: AuthorityContext,
  flow: SignInFlowRecord,
  amr: readonly string[],
): Promise<FastifyReply> {
  const user = await ctx.users.signedIn(flow.email)
  await ctx.storage.deleteSignInFlow(flow.id)
  if (user === undefined) {
    throw new PageError('forbidden', 'This email address cannot sign in here. Ask the operator for access.', {
      title: 'Sign-in not allowed',
    })
  }
  const cookies = await startSession(request, ctx, user, amr)
  return reply
    .code(303)
    .header('set-cookie', cookies)
    .header('cache-control', 'no-store')
    .header('location', flow.returnTo)
    .send()
}

/**
 * A brand-new session for a user who just proved who they are (by email or by passkey): the
 * browser's previous session, if any, is ended, never reused; returns the Set-Cookie values (the
 * session cookie, and the pre-login cookie cleared).
 */
export async function startSession(
  request: FastifyRequest,
  ctx: AuthorityContext,
  user: UserRecord,
  amr: readonly string[],
): Promise<string[]> {
  const previous = readCookie(request.headers.cookie, ctx.cookies.session)
  if (previous !== undefined) {
    const old = await ctx.sessions.find(previous)
    if (old) await ctx.sessions.end(old.id, old.userId)
  }
  const { session, secret } = await ctx.sessions.create(user.id, amr, {
    userAgent: request.headers['user-agent'] ?? '',
    address: request.ip,
  })
  ctx.audit.record('user.signed_in', user.id, { session: session.id, amr })
  const lifetime = Math.floor((session.expiresAt - session.createdAt) / 1000)
  return [
    setCookie(ctx.cookies, ctx.cookies.session, secret, lifetime),
    clearCookie(ctx.cookies, ctx.cookies.signin),
  ]
}
