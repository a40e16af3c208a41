import type { FastifyInstance } from 'fastify'
import type { AuthorityContext } from '../authority-context.js'
import { usePageErrors } from '../pages/error-page.js'
import { PAGE_BODY_LIMIT } from '../pages/routes.js'
import { registerAuthorize } from './authorize.js'
import { registerConsentRevocation } from './consents.js'
import { registerEndSession } from './end-session.js'

/**
 * The OpenID Connect endpoints a browser visits: authorization and consent, RP-initiated logout,
 * and the account page's consent revocation. Like every page they answer faults with an error page
 * (a 4xx, never JSON and never a 500 for bad input) and accept only small bodies.
 */
export function registerOidcPages(app: FastifyInstance, ctx: AuthorityContext): void {
  app.register(async (pages) => {
    usePageErrors(pages)
    pages.addHook('onRoute', (route) => {
      route.bodyLimit = Math.min(route.bodyLimit ?? PAGE_BODY_LIMIT, PAGE_BODY_LIMIT)
    })
    registerAuthorize(pages, ctx)
    registerEndSession(pages, ctx)
    registerConsentRevocation(pages, ctx)
  })
}
