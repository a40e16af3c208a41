import type { FastifyInstance } from 'fastify'
import type { AuthorityContext } from '../authority-context.js'
import { takeOrRefuse } from '../limits/window-limit.js'
import { registerPasskeyPages } from '../passkeys/page-routes.js'
import { registerSessionRoutes } from '../sessions/routes.js'
import { registerSignIn } from '../signin/routes.js'
import { registerAccount } from './account.js'
import { usePageErrors } from './error-page.js'
import { registerLanding } from './landing.js'
import { STYLESHEET_PATH } from './layout.js'
import { STYLESHEET } from './stylesheet.js'

/** Forms carry an email address or a code; nothing a page accepts comes near this. */
export const PAGE_BODY_LIMIT = 8192

/**
 * The pages served to people: landing, sign-in, account (with its passkeys), sign-out, and the
 * stylesheet and scripts. They share
 * one error handler that answers with an error page (never JSON, never a 500 for bad input) and a
 * small body limit.
 */
export function registerPages(app: FastifyInstance, ctx: AuthorityContext): void {
  app.register(async (scope) => {
    usePageErrors(scope)
    // The per-address limit of the OAuth endpoints covers the forms too, before any body is read.
    scope.addHook('onRequest', async (request) => {
      if (request.method === 'POST')
        await takeOrRefuse(
          ctx.limits.perAddress,
          request.ip,
          'Too many requests from your network. Wait a moment and try again.',
        )
    })
    scope.addHook('onRoute', (route) => {
      route.bodyLimit = Math.min(route.bodyLimit ?? PAGE_BODY_LIMIT, PAGE_BODY_LIMIT)
    })
    scope.get(STYLESHEET_PATH, async (_request, reply) =>
      reply
        .header('content-type', 'text/css; charset=utf-8')
        .header('cache-control', 'public, max-age=3600')
        .header('x-content-type-options', 'nosniff')
        .send(STYLESHEET),
    )
    registerLanding(scope, ctx)
    registerSignIn(scope, ctx)
    registerSessionRoutes(scope, ctx)
    registerAccount(scope, ctx)
    registerPasskeyPages(scope, ctx)
  })
}
