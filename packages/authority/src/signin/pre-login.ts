import { randomBytes } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { AuthorityContext } from '../authority-context.js'
import { readCookie, setCookie } from '../sessions/cookies.js'

/** How long a browser may take from opening the sign-in page to typing the code. */
export const PRE_LOGIN_MAX_AGE = 3600

export interface PreLogin {
  /** The cookie's secret; never stored. */
  readonly secret: string
  /** HMAC of the secret: the key of this browser's sign-in flow row. */
  readonly flowId: string
  /** Synchronizer token of the pre-login forms (login CSRF protection). */
  readonly csrfToken: string
}

function derive(ctx: AuthorityContext, secret: string): PreLogin {
  return { secret, flowId: ctx.signin.proofs.flowId(secret), csrfToken: ctx.signin.proofs.csrfToken(secret) }
}

/** The browser's pre-login identity, if it has the cookie. */
export function readPreLogin(request: FastifyRequest, ctx: AuthorityContext): PreLogin | undefined {
  const secret = readCookie(request.headers.cookie, ctx.cookies.signin)
  return secret === undefined ? undefined : derive(ctx, secret)
}

/**
 * The browser's pre-login identity, minted (and set as a cookie) when it has none. Nothing is
 * written to the database until the browser submits an address, so opening the page costs nothing.
 */
export function ensurePreLogin(
  request: FastifyRequest,
  reply: FastifyReply,
  ctx: AuthorityContext,
): PreLogin {
  const existing = readPreLogin(request, ctx)
  if (existing) return existing
  const secret = randomBytes(32).toString('base64url')
  reply.header('set-cookie', setCookie(ctx.cookies, ctx.cookies.signin, secret, PRE_LOGIN_MAX_AGE))
  return derive(ctx, secret)
}
