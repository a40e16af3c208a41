import type { FastifyReply } from 'fastify'
import type { AuthorityContext } from '../authority-context.js'
import { clearCookie } from './cookies.js'

/**
 * The answer that ends a browser's sign-in: the session cookie expired, and `Clear-Site-Data:
 * "cookies"` so the browser drops every cookie of this origin, then a 303 to `location`.
 */
export function signedOutReply(reply: FastifyReply, ctx: AuthorityContext, location = '/'): FastifyReply {
  return reply
    .code(303)
    .header('set-cookie', clearCookie(ctx.cookies, ctx.cookies.session))
    .header('clear-site-data', '"cookies"')
    .header('cache-control', 'no-store')
    .header('location', location)
    .send()
}
