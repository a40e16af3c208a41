import { createJWTVerifier, isJOSEError, JOSEError, unsafeDecodeJWT } from '@tessera/jose'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { AuthorityContext } from '../authority-context.js'
import type { Client } from '../clients/client-registry.js'
import { ALLOWED_ALGORITHMS } from '../config/parsers.js'
import { type FormBody, formOf, parseForm } from '../lib/form-body.js'
import { isClientId } from '../lib/identifiers.js'
import { PATHS } from '../lib/paths.js'
import { html } from '../pages/html.js'
import { renderPage } from '../pages/layout.js'
import { PageError } from '../pages/page-error.js'
import { sendPage } from '../pages/send-page.js'
import { checkCsrf } from '../sessions/csrf.js'
import { readSignedIn } from '../sessions/read-session.js'
import { signedOutReply } from '../sessions/sign-out.js'
import { matchesRegistered } from './redirect-uris.js'

const CONFIRM_PATH = `${PATHS.endSession}/confirm`
const MAX_STATE = 512

/** Where the logout ends: the registered post-logout URI with `state`, or our own signed-out page. */
interface LogoutTarget {
  readonly client: Client | undefined
  readonly location: string | undefined
  readonly state: string | undefined
}

const refuse = (message: string): never => {
  throw new PageError('bad_request', message, { title: 'Sign-out request refused' })
}

function paramsOf(request: FastifyRequest): FormBody {
  if (request.method === 'POST') return formOf(request.body, request.headers['content-type'])
  const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?') + 1) : ''
  if (query.length > 8192) refuse('The sign-out request is too long.')
  return parseForm(query)
}

/**
 * Step: the id_token_hint (RP-Initiated Logout §2) is one of our ID tokens — signature under a
 * published key, our issuer, `typ: JWT` — and may have expired (the spec expects that); its `aud`
 * names the client.
 */
async function hintedClientId(ctx: AuthorityContext, hint: string): Promise<string> {
  let iat: unknown
  try {
    iat = unsafeDecodeJWT(hint).payload.iat
  } catch {
    return refuse('The sign-out request carried a malformed ID token.')
  }
  if (typeof iat !== 'number' || !Number.isFinite(iat))
    return refuse('The sign-out request carried an invalid ID token.')
  const verify = createJWTVerifier({
    key: (header) => {
      const key = ctx.keys.ring.verificationKey(header.kid)
      if (!key) throw new JOSEError('ERR_JOSE_KEY_RESOLUTION_FAILED', 'unknown or revoked kid')
      return key
    },
    algorithms: ALLOWED_ALGORITHMS,
    issuer: ctx.config.issuer,
    typ: 'JWT',
    requiredClaims: ['aud', 'sub', 'iat'],
    // Judged as of its own issue time: an expired hint still identifies the client.
    currentDate: new Date(iat * 1000),
  })
  try {
    const { payload } = await verify(hint)
    const aud = Array.isArray(payload.aud) ? payload.aud[0] : payload.aud
    if (typeof aud !== 'string') return refuse('The sign-out request carried an invalid ID token.')
    return aud
  } catch (error) {
    if (isJOSEError(error)) return refuse('The sign-out request carried an invalid ID token.')
    throw error
  }
}

/**
 * Steps (RP-Initiated Logout §2–§3): find the client from id_token_hint and/or client_id (they must
 * agree); accept post_logout_redirect_uri only if that client registered it exactly — anything else
 * is an error page, never a redirect.
 */
async function logoutTarget(ctx: AuthorityContext, params: FormBody): Promise<LogoutTarget> {
  const hinted = params.id_token_hint ? await hintedClientId(ctx, params.id_token_hint) : undefined
  const named = params.client_id
  if (named !== undefined && hinted !== undefined && named !== hinted)
    refuse('The sign-out request names two different applications.')
  const clientId = hinted ?? named
  const client = clientId !== undefined && isClientId(clientId) ? await ctx.clients.find(clientId) : undefined
  if (clientId !== undefined && (!client || client.disabled))
    refuse('The application is not registered with this server.')
  const uri = params.post_logout_redirect_uri
  if (uri === undefined) return { client, location: undefined, state: undefined }
  if (!client) refuse('A return address needs the application to be named (id_token_hint or client_id).')
  if (!matchesRegistered(uri, client?.metadata.post_logout_redirect_uris))
    refuse('The application asked to return you to an address it has not registered.')
  const state = params.state
  if (state !== undefined && (state.length === 0 || state.length > MAX_STATE))
    refuse('The sign-out state is malformed.')
  return { client, location: uri, state }
}

function finalLocation(target: LogoutTarget): string {
  if (target.location === undefined) return '/'
  const url = new URL(target.location)
  if (target.state !== undefined) url.searchParams.append('state', target.state)
  return url.href
}

/** CSP form-action source for the return address, so the confirm form's redirect is not blocked. */
function formActionFor(location: string | undefined): string[] {
  if (location === undefined) return []
  const url = new URL(location)
  return [url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : url.protocol]
}

/**
 * The end_session_endpoint, GET or POST. A signed-in browser is asked to confirm (a form with its
 * CSRF token), so a link or image elsewhere cannot sign anyone out; a browser with no session goes
 * straight back to the registered address.
 */
async function endSession(ctx: AuthorityContext, request: FastifyRequest, reply: FastifyReply) {
  const params = paramsOf(request)
  const target = await logoutTarget(ctx, params)
  const signedIn = await readSignedIn(request, ctx)
  if (!signedIn) {
    if (target.location === undefined) {
      const body = html`<p>You are signed out.</p>`
      return sendPage(reply, 200, renderPage({ title: 'Signed out', body }))
    }
    return reply.header('cache-control', 'no-store').redirect(finalLocation(target), 303)
  }
  const name = target.client?.metadata.client_name
  const carried = (['client_id', 'post_logout_redirect_uri', 'state'] as const)
    .map((field) => [field, field === 'client_id' ? target.client?.clientId : params[field]] as const)
    .filter(([, value]) => value !== undefined)
    .map(([field, value]) => html`<input type="hidden" name="${field}" value="${value as string}">`)
  const body = html`<p>${name ? html`<strong>${name}</strong> asks to sign you out. ` : ''}Sign out of Tessera in this browser, ${signedIn.user.email}?</p>
<form method="post" action="${CONFIRM_PATH}">
<input type="hidden" name="csrf_token" value="${signedIn.session.csrfToken}">
${carried}
<button type="submit">Sign out</button>
</form>`
  return sendPage(
    reply,
    200,
    renderPage({
      title: 'Sign out?',
      body,
      signedIn: { email: signedIn.user.email, csrfToken: signedIn.session.csrfToken },
    }),
    {
      formAction: formActionFor(target.location),
    },
  )
}

/** The confirmation: CSRF-checked, ends the session (its refresh families go with it), returns. */
async function confirmEndSession(ctx: AuthorityContext, request: FastifyRequest, reply: FastifyReply) {
  const form = formOf(request.body, request.headers['content-type'])
  const signedIn = await readSignedIn(request, ctx)
  if (signedIn) checkCsrf(request, signedIn.session.csrfToken)
  // The confirm form names the client by client_id; it carries no id_token_hint.
  const { id_token_hint: _hint, ...carried } = form
  const target = await logoutTarget(ctx, carried)
  if (signedIn) {
    await ctx.sessions.end(signedIn.session.id, signedIn.user.id)
    ctx.audit.record('session.ended', signedIn.user.id, {
      reason: 'rp-initiated-logout',
      client_id: target.client?.clientId ?? null,
    })
  }
  return signedOutReply(reply, ctx, finalLocation(target))
}

export function registerEndSession(app: FastifyInstance, ctx: AuthorityContext): void {
  app.get(PATHS.endSession, (request, reply) => endSession(ctx, request, reply))
  app.post(PATHS.endSession, (request, reply) => endSession(ctx, request, reply))
  app.post(CONFIRM_PATH, (request, reply) => confirmEndSession(ctx, request, reply))
}
