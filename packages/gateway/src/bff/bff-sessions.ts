import { randomBytes } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import type { GatewaySettings } from '../proxy/settings.js'
import type { TokenVerifier } from '../verify/create-token-verifier.js'
import { type Identity, missingScopes } from '../verify/identity.js'
import type { Refusal } from '../verify/refusal.js'
import { LOGIN_COOKIE, readCookie, SESSION_COOKIE, withoutCookies } from './cookies.js'
import { passesCsrfChecks } from './csrf.js'
import { type IssuedTokens, OidcClient, type PendingLogin } from './oidc-client.js'
import { type BffSession, MemorySessionStore, type SessionStore } from './session-store.js'
import type { BffSettings } from './settings.js'

export type SessionAuthentication =
  | { readonly ok: true; readonly identity: Identity; readonly token: string }
  | { readonly ok: false; readonly refusal: Refusal }

const MAX_PENDING_LOGINS = 10_000

export function newHandle(): string {
  return randomBytes(32).toString('base64url')
}

/**
 * The BFF's state: sign-ins under way and signed-in sessions, both server-side; the browser holds
 * only random handles in cookies. API calls with the session cookie pass the CSRF checks, then get
 * the session's access token, refreshed here before it expires, and verified like any bearer token.
 */
export class BffSessions {
  readonly settings: BffSettings
  readonly client: OidcClient
  readonly store: SessionStore
  readonly #verifier: TokenVerifier
  readonly #pending = new Map<string, PendingLogin>()
  readonly #refreshing = new Map<BffSession, Promise<boolean>>()

  constructor(
    settings: BffSettings,
    gateway: GatewaySettings,
    verifier: TokenVerifier,
    store?: SessionStore,
  ) {
    this.settings = settings
    this.client = new OidcClient(gateway.issuer, settings, gateway.allowInsecureHttp)
    this.store = store ?? new MemorySessionStore(settings.maxSessions)
    this.#verifier = verifier
  }

  ownsPath(path: string): boolean {
    return path === '/bff' || path.startsWith('/bff/')
  }

  /** A cookie-borne API call: the session cookie and no bearer token of its own. */
  carriesSession(request: FastifyRequest): boolean {
    return (
      request.headers.authorization === undefined &&
      readCookie(request.headers.cookie, SESSION_COOKIE) !== undefined
    )
  }

  stripSessionCookie(cookie: string): string | undefined {
    return withoutCookies(cookie, [SESSION_COOKIE, LOGIN_COOKIE])
  }

  rememberLogin(pending: PendingLogin): string {
    const now = Date.now()
    for (const [handle, login] of this.#pending) {
      if (login.expiresAt > now && this.#pending.size < MAX_PENDING_LOGINS) break
      this.#pending.delete(handle)
    }
    const handle = newHandle()
    this.#pending.set(handle, pending)
    return handle
  }

  /** The pending sign-in for a login cookie, consumed: a callback can be used once. */
  takeLogin(handle: string | undefined): PendingLogin | undefined {
    if (handle === undefined) return undefined
    const pending = this.#pending.get(handle)
    this.#pending.delete(handle)
    return pending && pending.expiresAt > Date.now() ? pending : undefined
  }

  startSession(tokens: IssuedTokens): string {
    const id = newHandle()
    const now = Date.now()
    this.store.set(id, {
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken,
      accessTokenExpiresAt: tokens.expiresAt,
      idToken: tokens.idToken,
      user: tokens.claims ?? {},
      createdAt: now,
      lastSeenAt: now,
    })
    return id
  }

  /** The live session of a request, or undefined (and the session ended) once it timed out. */
  sessionOf(request: FastifyRequest): { id: string; session: BffSession } | undefined {
    const id = readCookie(request.headers.cookie, SESSION_COOKIE)
    if (id === undefined) return undefined
    const session = this.store.get(id)
    if (!session) return undefined
    const now = Date.now()
    if (
      now - session.lastSeenAt > this.settings.sessionIdleTimeoutMs ||
      now - session.createdAt > this.settings.sessionMaxAgeMs
    ) {
      this.store.delete(id)
      return undefined
    }
    session.lastSeenAt = now
    return { id, session }
  }

  passesCsrf(request: FastifyRequest, requireHeader: boolean): boolean {
    return passesCsrfChecks(request.headers, this.settings.publicOrigin, { requireHeader })
  }

  async authenticate(request: FastifyRequest, scopes: readonly string[]): Promise<SessionAuthentication> {
    if (!this.passesCsrf(request, true)) return { ok: false, refusal: this.#verifier.refusal('csrf') }
    const found = this.sessionOf(request)
    if (!found) return { ok: false, refusal: this.#verifier.refusal('session_expired') }
    const { id, session } = found
    if (session.accessTokenExpiresAt - Date.now() < this.settings.refreshBeforeExpiryMs) {
      if (!(await this.#refresh(session))) {
        this.store.delete(id)
        return { ok: false, refusal: this.#verifier.refusal('session_expired') }
      }
    }
    const result = await this.#verifier.verify(session.accessToken)
    if (!result.ok) return { ok: false, refusal: this.#verifier.refusal(result.reason) }
    if (missingScopes(result.identity, scopes).length > 0)
      return { ok: false, refusal: this.#verifier.refusal('insufficient_scope', scopes) }
    return { ok: true, identity: result.identity, token: session.accessToken }
  }

  /** One refresh per session at a time: concurrent API calls wait for the same one. */
  #refresh(session: BffSession): Promise<boolean> {
    let running = this.#refreshing.get(session)
    if (running) return running
    const { refreshToken } = session
    running = (
      refreshToken === undefined
        ? Promise.resolve(false)
        : this.client.refresh(refreshToken, session.idToken).then(
            (tokens) => {
              session.accessToken = tokens.accessToken
              session.refreshToken = tokens.refreshToken
              session.accessTokenExpiresAt = tokens.expiresAt
              session.idToken = tokens.idToken
              return true
            },
            () => false,
          )
    ).finally(() => this.#refreshing.delete(session))
    this.#refreshing.set(session, running)
    return running
  }
}
