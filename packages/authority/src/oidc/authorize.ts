import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { AuthorityContext } from '../authority-context.js'
import { type FormBody, formOf, parseForm } from '../lib/form-body.js'
import { PATHS } from '../lib/paths.js'
import { PageError } from '../pages/page-error.js'
import { checkCsrf } from '../sessions/csrf.js'
import { readSignedIn, type SignedIn } from '../sessions/read-session.js'
import {
  AuthorizationError,
  type AuthorizationRequest,
  type TrustedTarget,
  trustTarget,
  validateRequest,
} from './authorization-request.js'
import { sendAuthorizationError, sendCode } from './authorization-response.js'
import { CONSENT_PATH, consentDecision, needsConsent, rememberConsent, sendConsentPage } from './consent.js'

/** A query string longer than this cannot survive the round trip through sign-in (`return_to`). */
const MAX_QUERY = 1800

/** OIDC Core §3.1.2.1: the parameters, from the query of a GET or the form body of a POST. */
function paramsOf(request: FastifyRequest): FormBody {
  if (request.method === 'POST') return formOf(request.body, request.headers['content-type'])
  const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?') + 1) : ''
  if (query.length > MAX_QUERY * 2) throw new PageError('bad_request', 'The sign-in request is too long.')
  // Repeated parameters are refused (RFC 6749 §3.1), as on every endpoint.
  return parseForm(query)
}

/**
 * Step: a signed-in browser whose sign-in is recent enough (prompt=login, max_age). Without one the
 * browser goes to sign-in and comes back to this same request, minus the demand for a fresh sign-in
 * (the sign-in it is about to do is fresh), so it cannot loop.
 */
function signInRedirect(reply: FastifyReply, request: AuthorizationRequest, params: FormBody) {
  const back = new URLSearchParams()
  for (const [name, value] of Object.entries(params)) {
    if (name === 'max_age') continue
    if (name === 'prompt') {
      const rest = [...request.prompt].filter((item) => item !== 'login')
      if (rest.length > 0) back.append(name, rest.join(' '))
      continue
    }
    back.append(name, value)
  }
  const returnTo = `${PATHS.authorization}?${back.toString()}`
  if (returnTo.length > MAX_QUERY) throw new AuthorizationError('invalid_request', 'the request is too long')
  // The sign-in page always asks for a new proof, even from a signed-in browser, and mints a new session.
  return reply
    .header('cache-control', 'no-store')
    .redirect(`/signin?return_to=${encodeURIComponent(returnTo)}`, 303)
}

function freshEnough(ctx: AuthorityContext, request: AuthorizationRequest, signedIn: SignedIn): boolean {
  if (request.prompt.has('login')) return false
  if (request.maxAge === undefined) return true
  return Math.floor(ctx.clock.now() / 1000) - signedIn.session.authTime <= request.maxAge
}

/** Step: the code, bound to everything the token request must prove again (RFC 6749 §4.1.2). */
async function issueCode(ctx: AuthorityContext, request: AuthorizationRequest, signedIn: SignedIn) {
  const code = await ctx.oidc.codes.issue({
    clientId: request.client.clientId,
    userId: signedIn.user.id,
    sessionId: signedIn.session.id,
    redirectUri: request.redirectUri,
    scope: request.scopes.join(' '),
    nonce: request.nonce ?? null,
    codeChallenge: request.codeChallenge,
    authTime: signedIn.session.authTime,
    amr: signedIn.session.amr,
  })
  ctx.audit.record('authorization_code.issued', signedIn.user.id, { client_id: request.client.clientId })
  return code
}

/** Runs the steps after the target is trusted; an AuthorizationError goes back to the client. */
async function answering(
  ctx: AuthorityContext,
  request: FastifyRequest,
  reply: FastifyReply,
  target: TrustedTarget,
  steps: () => Promise<FastifyReply>,
) {
  try {
    return await steps()
  } catch (error) {
    if (!(error instanceof AuthorizationError)) throw error
    return sendAuthorizationError(ctx, request, reply, target, error.code, error.message)
  }
}

/**
 * The authorization endpoint (RFC 6749 §4.1.1, OIDC Core §3.1.2), read top to bottom: trust the
 * client and redirect URI (else an error page), validate the request (else an error redirect), find
 * a fresh enough sign-in, ask for consent when needed, and answer with a single-use code.
 */
async function authorize(ctx: AuthorityContext, request: FastifyRequest, reply: FastifyReply) {
  const params = paramsOf(request)
  const target = await trustTarget(ctx, params)
  return answering(ctx, request, reply, target, async () => {
    const authorization = validateRequest(target, params)
    const signedIn = await readSignedIn(request, ctx)
    if (!signedIn || !freshEnough(ctx, authorization, signedIn)) {
      if (authorization.prompt.has('none'))
        throw new AuthorizationError('login_required', 'the user is not signed in')
      return signInRedirect(reply, authorization, params)
    }
    if (await needsConsent(ctx, authorization, signedIn.user.id)) {
      if (authorization.prompt.has('none'))
        throw new AuthorizationError('consent_required', 'the user has not consented to this application')
      return sendConsentPage(reply, authorization, {
        email: signedIn.user.email,
        csrfToken: signedIn.session.csrfToken,
      })
    }
    return sendCode(ctx, request, reply, authorization, await issueCode(ctx, authorization, signedIn))
  })
}

/**
 * The consent form's POST: a signed-in browser, the CSRF token of its session from our own origin,
 * the request validated again from scratch, then the decision: a remembered consent and a code,
 * or access_denied.
 */
async function decide(ctx: AuthorityContext, request: FastifyRequest, reply: FastifyReply) {
  const form = formOf(request.body, request.headers['content-type'])
  const signedIn = await readSignedIn(request, ctx)
  if (!signedIn)
    throw new PageError('forbidden', 'Your session has ended. Go back to the application and sign in again.')
  checkCsrf(request, signedIn.session.csrfToken)
  const { decision, params } = consentDecision(form)
  const target = await trustTarget(ctx, params)
  return answering(ctx, request, reply, target, async () => {
    const authorization = validateRequest(target, params)
    if (decision !== 'allow') {
      ctx.audit.record('consent.denied', signedIn.user.id, { client_id: target.client.clientId })
      throw new AuthorizationError('access_denied', 'the user denied the request')
    }
    await rememberConsent(ctx, authorization, signedIn.user.id)
    ctx.audit.record('consent.granted', signedIn.user.id, { client_id: target.client.clientId })
    return sendCode(ctx, request, reply, authorization, await issueCode(ctx, authorization, signedIn))
  })
}

/** Registers the authorization endpoint (GET and POST, OIDC Core §3.1.2.1) and the consent form. */
export function registerAuthorize(pages: FastifyInstance, ctx: AuthorityContext): void {
  pages.get(PATHS.authorization, (request, reply) => authorize(ctx, request, reply))
  pages.post(PATHS.authorization, (request, reply) => authorize(ctx, request, reply))
  pages.post(CONSENT_PATH, (request, reply) => decide(ctx, request, reply))
}
