import type { FastifyInstance, FastifyReply } from 'fastify'
import type { GatewayLogger } from '../lib/log.js'
import type { BffSessions } from './bff-sessions.js'
import { clearCookie, LOGIN_COOKIE, readCookie, SESSION_COOKIE, serializeCookie } from './cookies.js'

/** A return path must stay on the gateway: one leading slash, no scheme, no `//host`, no backslash. */
function safeReturnPath(value: unknown): string {
  if (typeof value !== 'string' || !/^\/(?![/\\])[\x21-\x7e]*$/.test(value) || value.includes('\\'))
    return '/'
  return value
}

function refuse(reply: FastifyReply, status: number, error: string, description: string): FastifyReply {
  return reply
    .code(status)
    .header('cache-control', 'no-store')
    .type('application/json; charset=utf-8')
    .send({ error, error_description: description })
}

/**
 * /bff/login starts sign-in, /bff/callback finishes it, /bff/user shows who is signed in and
 * /bff/logout ends the local session and the authority's (RP-initiated logout).
 */
export async function registerBffRoutes(
  root: FastifyInstance,
  bff: BffSessions,
  log: GatewayLogger,
): Promise<void> {
  await root.register(async (app) => {
    // A logout form posts an empty urlencoded body; nothing in any BFF body is read, so none is kept.
    app.addContentTypeParser('*', { bodyLimit: 1024 }, (_request, payload, done) => {
      payload.resume()
      payload.once('end', () => done(null, undefined))
      payload.once('error', done)
    })
    routes(app, bff, log)
  })
}

function routes(app: FastifyInstance, bff: BffSessions, log: GatewayLogger): void {
  const sessionMaxAgeSeconds = Math.floor(bff.settings.sessionMaxAgeMs / 1000)

  app.get('/bff/login', async (request, reply) => {
    const { return_to: returnTo } = request.query as Record<string, unknown>
    let started: Awaited<ReturnType<typeof bff.client.startLogin>>
    try {
      started = await bff.client.startLogin(safeReturnPath(returnTo))
    } catch (error) {
      log.warn({ err: (error as Error).message }, 'authority discovery failed')
      return refuse(reply, 503, 'temporarily_unavailable', 'the authority cannot be reached')
    }
    const handle = bff.rememberLogin(started.pending)
    return reply
      .header('set-cookie', serializeCookie(LOGIN_COOKIE, handle, { sameSite: 'Lax', maxAgeSeconds: 600 }))
      .header('cache-control', 'no-store')
      .redirect(started.url.href, 302)
  })

  app.get('/bff/callback', async (request, reply) => {
    const pending = bff.takeLogin(readCookie(request.headers.cookie, LOGIN_COOKIE))
    reply.header('set-cookie', clearCookie(LOGIN_COOKIE, 'Lax'))
    if (!pending) return refuse(reply, 400, 'invalid_request', 'no sign-in is under way in this browser')
    const currentUrl = new URL(request.url, bff.settings.publicOrigin)
    let tokens: Awaited<ReturnType<typeof bff.client.finishLogin>>
    try {
      tokens = await bff.client.finishLogin(currentUrl, pending)
    } catch (error) {
      log.info({ reason: 'sign_in_failed', err: (error as Error).message }, 'sign-in refused')
      return refuse(reply, 400, 'access_denied', 'sign-in did not complete')
    }
    const id = bff.startSession(tokens)
    return reply
      .header('set-cookie', [
        clearCookie(LOGIN_COOKIE, 'Lax'),
        serializeCookie(SESSION_COOKIE, id, { sameSite: 'Strict', maxAgeSeconds: sessionMaxAgeSeconds }),
      ])
      .header('cache-control', 'no-store')
      .redirect(pending.returnTo, 303)
  })

  app.get('/bff/user', async (request, reply) => {
    if (!bff.passesCsrf(request, true))
      return refuse(reply, 403, 'invalid_request', 'cross-site or unmarked request refused')
    const found = bff.sessionOf(request)
    if (!found) return refuse(reply, 401, 'login_required', 'no session')
    return reply.header('cache-control', 'no-store').send({ claims: found.session.user })
  })

  // A form post or a fetch: both carry Origin / Sec-Fetch-Site; a form cannot add the custom header.
  app.post('/bff/logout', async (request, reply) => {
    if (!bff.passesCsrf(request, false))
      return refuse(reply, 403, 'invalid_request', 'cross-site request refused')
    const found = bff.sessionOf(request)
    if (found) bff.store.delete(found.id)
    reply.header('set-cookie', clearCookie(SESSION_COOKIE, 'Strict')).header('cache-control', 'no-store')
    let url: URL | undefined
    try {
      url = await bff.client.logoutUrl(found?.session.idToken)
    } catch {
      url = undefined
    }
    const target = url?.href ?? `${bff.settings.publicOrigin}${bff.settings.postLogoutPath}`
    if (request.headers.accept?.includes('application/json')) return reply.send({ logout_url: target })
    return reply.redirect(target, 303)
  })
}
