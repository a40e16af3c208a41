import type { FastifyInstance } from 'fastify'
import type { AuthorityContext } from '../authority-context.js'
import { formOf } from '../lib/form-body.js'
import { isSessionId } from '../lib/identifiers.js'
import { PageError } from '../pages/page-error.js'
import { checkCsrf } from './csrf.js'
import { readSignedIn } from './read-session.js'
import { signedOutReply } from './sign-out.js'

/**
 * Ending sessions from the pages: `POST /signout` (this browser), `POST /account/sessions/end`
 * (one of the user's sessions, by its public id) and `POST /account/sign-out-everywhere`. Each
 * checks the session's CSRF token and the origin; ending a session also runs the session-end hooks
 * (which revoke the refresh families issued under it).
 */
export function registerSessionRoutes(scope: FastifyInstance, ctx: AuthorityContext): void {
  scope.post('/signout', async (request, reply) => {
    formOf(request.body, request.headers['content-type'])
    const signedIn = await readSignedIn(request, ctx)
    // Without a session there is nothing to protect: just make sure the browser forgets its cookies.
    if (signedIn === null) return signedOutReply(reply, ctx)
    checkCsrf(request, signedIn.session.csrfToken)
    await ctx.sessions.end(signedIn.session.id, signedIn.user.id)
    ctx.audit.record('user.signed_out', signedIn.user.id, { session: signedIn.session.id })
    return signedOutReply(reply, ctx)
  })

  scope.post('/account/sessions/end', async (request, reply) => {
    const form = formOf(request.body, request.headers['content-type'])
    const signedIn = await readSignedIn(request, ctx)
    if (signedIn === null) return reply.code(303).header('location', '/signin?return_to=/account').send()
    checkCsrf(request, signedIn.session.csrfToken)
    const id = form.session_id
    if (!isSessionId(id)) throw new PageError('bad_request', 'That is not one of your sessions.')
    // Only the user's own: someone else's session id matches no row of theirs and ends nothing.
    if (!(await ctx.sessions.end(id, signedIn.user.id)))
      throw new PageError('not_found', 'That session has already ended.', { title: 'Session not found' })
    ctx.audit.record('user.session_ended', signedIn.user.id, { session: id })
    if (id === signedIn.session.id) return signedOutReply(reply, ctx)
    return reply.code(303).header('location', '/account').header('cache-control', 'no-store').send()
  })

  scope.post('/account/sign-out-everywhere', async (request, reply) => {
    formOf(request.body, request.headers['content-type'])
    const signedIn = await readSignedIn(request, ctx)
    if (signedIn === null) return reply.code(303).header('location', '/signin?return_to=/account').send()
    checkCsrf(request, signedIn.session.csrfToken)
    const ended = await ctx.sessions.endAllOf(signedIn.user.id)
    ctx.audit.record('user.signed_out_everywhere', signedIn.user.id, { sessions: ended, by: 'user' })
    return signedOutReply(reply, ctx)
  })
}
