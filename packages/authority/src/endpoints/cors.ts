import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { AuthorityContext } from '../authority-context.js'
import { PATHS } from '../lib/paths.js'

/**
 * Cross-origin access for browser apps (Fetch standard, CORS protocol).
 *
 * Public documents (metadata, discovery, JWKS) are readable from any origin: they hold nothing
 * secret and need no credentials. The endpoints a single-page app calls with its own tokens — token,
 * userinfo, revocation — answer only origins on an allowlist: the `corsOrigins` setting plus the
 * origins of the web redirect URIs registered by public clients (an SPA registers where it lives).
 * No endpoint ever sends `Access-Control-Allow-Credentials`: none of them reads a cookie, so a
 * cross-origin caller can use only the tokens it already holds.
 */
const PUBLIC_DOCUMENTS: readonly string[] = [PATHS.metadata, PATHS.openidConfiguration]
const APP_ENDPOINTS: Readonly<Record<string, string>> = {
  [PATHS.token]: 'POST',
  [PATHS.revocation]: 'POST',
  [PATHS.userinfo]: 'GET, POST',
}
// DPoP (RFC 9449) is listed so an app that sends it is told no rather than failing the preflight.
const ALLOWED_HEADERS = 'authorization, content-type, dpop'
// An SPA must read a bearer challenge to know its token was refused (RFC 6750 §3).
const EXPOSED_HEADERS = 'www-authenticate, retry-after'
const PREFLIGHT_MAX_AGE = '600'
/** How often a request from an unknown origin may reload the client list (seconds apart). */
const RELOAD_INTERVAL_MS = 2000
/** How long a hit trusts the list before refreshing it in the background. */
const MAX_AGE_MS = 60_000

/** The origins of the web redirect URIs of enabled public clients, plus the configured ones. */
export class CorsOrigins {
  readonly #ctx: AuthorityContext
  #origins: ReadonlySet<string> = new Set()
  #loadedAt = Number.NEGATIVE_INFINITY
  #loading: Promise<void> | undefined

  constructor(ctx: AuthorityContext) {
    this.#ctx = ctx
  }

  /**
   * True if `origin` may call the app endpoints. A miss reloads the client list, at most once per
   * RELOAD_INTERVAL_MS, so an app registered a moment ago works at once while a stream of hostile
   * origins costs one query every two seconds at most.
   */
  async allows(origin: string): Promise<boolean> {
    if (this.#ctx.config.corsOrigins.includes(origin)) return true
    const age = Date.now() - this.#loadedAt
    if (this.#origins.has(origin)) {
      // A hit never waits; a list older than MAX_AGE_MS is refreshed behind it (a disabled app drops out).
      if (age >= MAX_AGE_MS) void this.#reload().catch(() => {})
      return true
    }
    if (age >= RELOAD_INTERVAL_MS) await this.#reload()
    return this.#origins.has(origin)
  }

  #reload(): Promise<void> {
    this.#loading ??= this.#load().finally(() => {
      this.#loading = undefined
    })
    return this.#loading
  }

  async #load(): Promise<void> {
    const origins = new Set<string>()
    for (const client of await this.#ctx.clients.list()) {
      if (client.disabled || client.metadata.token_endpoint_auth_method !== 'none') continue
      for (const uri of client.metadata.redirect_uris ?? []) {
        const url = webUrl(uri)
        if (url) origins.add(url.origin)
      }
    }
    this.#origins = origins
    this.#loadedAt = Date.now()
  }
}

function webUrl(uri: string): URL | undefined {
  try {
    const url = new URL(uri)
    return url.protocol === 'https:' || url.protocol === 'http:' ? url : undefined
  } catch {
    return undefined
  }
}

function appendVary(reply: FastifyReply): void {
  const vary = reply.getHeader('vary')
  reply.header('vary', vary === undefined ? 'Origin' : `${String(vary)}, Origin`)
}

/**
 * Adds the CORS headers to the routes above as they are registered (so it must run before them) and
 * answers their preflight requests. Routes elsewhere (pages, admin, registration) get none: the
 * browser then refuses to let another origin read them.
 */
export function registerCors(app: FastifyInstance, ctx: AuthorityContext): void {
  const origins = new CorsOrigins(ctx)

  // Callback hooks: a same-origin or server-side call (no Origin header, the token endpoint's hot
  // path) costs a header and no promise.
  const forApp = (request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void) => {
    const origin = request.headers.origin
    appendVary(reply)
    if (origin === undefined) return done()
    origins.allows(origin).then((allowed) => {
      if (allowed) {
        reply.header('access-control-allow-origin', origin)
        reply.header('access-control-expose-headers', EXPOSED_HEADERS)
      }
      done()
    }, done)
  }
  const forPublic = (_request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    reply.header('access-control-allow-origin', '*')
    done()
  }

  app.addHook('onRoute', (route) => {
    if (route.method === 'OPTIONS' || route.method === 'HEAD') return
    const hook = Object.hasOwn(APP_ENDPOINTS, route.url)
      ? forApp
      : PUBLIC_DOCUMENTS.includes(route.url)
        ? forPublic
        : undefined
    if (hook === undefined) return
    const existing = route.onRequest === undefined ? [] : [route.onRequest].flat()
    route.onRequest = [hook, ...existing]
  })

  for (const [path, methods] of Object.entries(APP_ENDPOINTS)) {
    app.options(path, async (request, reply) => {
      const origin = request.headers.origin
      const method = request.headers['access-control-request-method']
      appendVary(reply)
      if (
        origin === undefined ||
        typeof method !== 'string' ||
        !methods.split(', ').includes(method) ||
        !(await origins.allows(origin))
      ) {
        return reply
          .code(403)
          .send({ error: 'invalid_request', error_description: 'cross-origin request not allowed' })
      }
      return reply
        .code(204)
        .headers({
          'access-control-allow-origin': origin,
          'access-control-allow-methods': methods,
          'access-control-allow-headers': ALLOWED_HEADERS,
          'access-control-max-age': PREFLIGHT_MAX_AGE,
        })
        .send()
    })
  }
  for (const path of [...PUBLIC_DOCUMENTS, PATHS.jwks]) {
    app.options(path, async (_request, reply) =>
      reply
        .code(204)
        .headers({
          'access-control-allow-origin': '*',
          'access-control-allow-methods': 'GET',
          'access-control-allow-headers': 'if-none-match',
          'access-control-max-age': PREFLIGHT_MAX_AGE,
        })
        .send(),
    )
  }
}
