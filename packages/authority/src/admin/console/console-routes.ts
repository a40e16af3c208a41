import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { AuthorityContext } from '../../authority-context.js'
import { RotationConflict } from '../../keys/key-manager.js'
import { formOf } from '../../lib/form-body.js'
import { isClientId, isDeviceId, isOpaqueId } from '../../lib/identifiers.js'
import { takeOrRefuse } from '../../limits/window-limit.js'
import { usePageErrors } from '../../pages/error-page.js'
import { renderPage } from '../../pages/layout.js'
import { PageError } from '../../pages/page-error.js'
import { PAGE_BODY_LIMIT } from '../../pages/routes.js'
import { sendPage } from '../../pages/send-page.js'
import { killSwitch } from '../../refresh/refresh-endpoints.js'
import { checkCsrf, isSameOrigin } from '../../sessions/csrf.js'
import type { CutoffKind } from '../../storage/types.js'
import { type AdminSessions, CONSOLE_PATH } from './admin-session.js'
import { consoleBody, consoleSignInForm, NOTICES, type Notice } from './console-pages.js'

/** How many of the latest audit events the console looks through for security events. */
const SCAN = 1000
const SHOWN = 50

const KILL_TARGETS: Readonly<Record<CutoffKind, (value: unknown) => value is string>> = {
  device: isDeviceId,
  client: isClientId,
  subject: isOpaqueId,
}

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest()

const seeOther = (reply: FastifyReply, location: string) =>
  reply.code(303).header('location', location).header('cache-control', 'no-store').send()

/**
 * The admin console at /admin/console: a sign-in form that takes the admin token and sets the
 * console's own session cookie (admin-session.ts), then one page listing recent security events and
 * the signing keys, with rotate, revoke and kill-switch buttons. Every POST checks the origin and
 * the session's CSRF token; the page routes share the pages' error handling, body limit and
 * per-address limit.
 */
export function registerAdminConsole(
  app: FastifyInstance,
  ctx: AuthorityContext,
  sessions: AdminSessions,
): void {
  app.register(
    async (scope) => {
      usePageErrors(scope)
      scope.addHook('onRequest', async (request) => {
        if (request.method === 'POST')
          await takeOrRefuse(
            ctx.limits.perAddress,
            request.ip,
            'Too many requests from your network. Wait a moment.',
          )
      })
      scope.addHook('onRoute', (route) => {
        route.bodyLimit = Math.min(route.bodyLimit ?? PAGE_BODY_LIMIT, PAGE_BODY_LIMIT)
      })
      const page = (
        reply: FastifyReply,
        status: number,
        title: string,
        body: ReturnType<typeof consoleBody>,
      ) => sendPage(reply, status, renderPage({ title, body }))

      const session = (request: FastifyRequest) =>
        sessions.verify(sessions.read(request.headers.cookie), ctx.clock.now())

      /** A console POST: a live console session and its CSRF token, from our own origin. */
      const consolePost = (request: FastifyRequest) => {
        const current = session(request)
        if (current === undefined) {
          throw new PageError('forbidden', 'Your console session has ended. Sign in again.', {
            title: 'Sign in again',
          })
        }
        checkCsrf(request, current.csrfToken)
        return formOf(request.body, request.headers['content-type'])
      }

      scope.get<{ Querystring: Record<string, unknown> }>('/', async (request, reply) => {
        const current = session(request)
        if (current === undefined) return seeOther(reply, `${CONSOLE_PATH}/signin`)
        await ctx.audit.flush()
        const events = (await ctx.storage.listAudit(SCAN))
          .filter((event) => event.event.startsWith('security.'))
          .slice(0, SHOWN)
        const keys = await ctx.storage.listKeys()
        const done = request.query.done
        const notice = typeof done === 'string' && Object.hasOwn(NOTICES, done) ? (done as Notice) : undefined
        return page(
          reply,
          200,
          'Admin console',
          consoleBody({ csrfToken: current.csrfToken, events, keys, notice }),
        )
      })

      scope.get('/signin', async (_request, reply) =>
        page(reply, 200, 'Admin console sign-in', consoleSignInForm()),
      )

      scope.post('/signin', async (request, reply) => {
        if (!isSameOrigin(request)) {
          throw new PageError(
            'csrf_failed',
            'This form was not sent from this site. Reload the page and try again.',
          )
        }
        const form = formOf(request.body, request.headers['content-type'])
        const presented = form.admin_token ?? ''
        if (presented.length > 512 || !timingSafeEqual(digest(presented), digest(ctx.adminToken))) {
          ctx.audit.record('admin.console_signin_failed', 'admin', { address: request.ip })
          return page(
            reply,
            401,
            'Admin console sign-in',
            consoleSignInForm('That admin token is not right.'),
          )
        }
        ctx.audit.record('admin.console_signin', 'admin', { address: request.ip })
        return reply
          .code(303)
          .header('set-cookie', sessions.setCookie(sessions.create(ctx.clock.now())))
          .header('cache-control', 'no-store')
          .header('location', CONSOLE_PATH)
          .send()
      })

      scope.post('/signout', async (request, reply) => {
        consolePost(request)
        return reply
          .code(303)
          .header('set-cookie', sessions.clearCookie())
          .header('cache-control', 'no-store')
          .header('location', `${CONSOLE_PATH}/signin`)
          .send()
      })

      scope.post('/keys/rotate', async (request, reply) => {
        consolePost(request)
        try {
          await ctx.keys.rotateNow()
        } catch (error) {
          if (error instanceof RotationConflict) throw new PageError('bad_request', error.message)
          throw error
        }
        return seeOther(reply, `${CONSOLE_PATH}?done=rotated`)
      })

      scope.post('/keys/revoke', async (request, reply) => {
        const form = consolePost(request)
        const kid = form.kid ?? ''
        if (kid.length === 0 || kid.length > 100 || !(await ctx.keys.revoke(kid))) {
          throw new PageError('not_found', 'There is no such key, or it is already revoked.')
        }
        return seeOther(reply, `${CONSOLE_PATH}?done=revoked`)
      })

      scope.post('/kill-switch', async (request, reply) => {
        const form = consolePost(request)
        const kind = form.kind ?? ''
        const shape = Object.hasOwn(KILL_TARGETS, kind) ? KILL_TARGETS[kind as CutoffKind] : undefined
        if (shape === undefined || !shape(form.target)) {
          throw new PageError('bad_request', 'Choose device, client or subject and give its exact id.')
        }
        await killSwitch(ctx, kind as CutoffKind, form.target)
        return seeOther(reply, `${CONSOLE_PATH}?done=killed`)
      })
    },
    { prefix: CONSOLE_PATH },
  )
}
