import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { AuthorityContext } from '../authority-context.js'
import { OAuthError } from '../lib/oauth-error.js'
import { takeOrRefuse } from '../limits/window-limit.js'
import { lockedJson } from '../lockout/locked-answer.js'
import type { Lock } from '../lockout/lockout.js'
import type { PageError } from '../pages/page-error.js'
import { checkCsrf } from '../sessions/csrf.js'
import { readSignedIn } from '../sessions/read-session.js'
import { startSession } from '../signin/complete-sign-in.js'
import { readPreLogin } from '../signin/pre-login.js'
import { DEFAULT_RETURN_TO, safeReturnTo } from '../signin/return-to.js'
import { authenticationOptions } from './authentication-options.js'
import { verifyAuthentication } from './authentication-verify.js'
import { PasskeyError } from './passkey-error.js'
import { passkeyName } from './passkey-view.js'
import { recordPasskeyFailure } from './record-failure.js'
import { registrationOptions } from './registration-options.js'
import { verifyRegistration } from './registration-verify.js'

/** An RSA attestation-free answer is a few kilobytes; nothing legitimate comes near this. */
export const PASSKEY_BODY_LIMIT = 32_768

export const PASSKEY_PATHS = {
  registrationOptions: '/passkeys/registration/options',
  registrationVerify: '/passkeys/registration/verify',
  authenticationOptions: '/passkeys/authentication/options',
  authenticationVerify: '/passkeys/authentication/verify',
} as const

/** A JSON object body, as the page script sends it. */
function jsonBody(request: FastifyRequest): Record<string, unknown> {
  const type = request.headers['content-type']?.toLowerCase() ?? ''
  const body = request.body
  if (
    !type.startsWith('application/json') ||
    typeof body !== 'object' ||
    body === null ||
    Array.isArray(body)
  )
    throw new PasskeyError('invalid_request', 'The request body must be a JSON object.')
  return body as Record<string, unknown>
}

/** The credential id a sign-in answer names, if it names one as text. */
function credentialIdOf(body: unknown): string | undefined {
  const id = (body as { response?: { id?: unknown } } | null | undefined)?.response?.id
  return typeof id === 'string' ? id : undefined
}

function sendLocked(reply: FastifyReply, lock: Lock) {
  const answer = lockedJson(lock)
  return reply.code(answer.status).headers(answer.headers).send(answer.body)
}

/** The page's CSRF token and our origin, as on every form; refusals in this API's JSON shape. */
function checkToken(request: FastifyRequest, expected: string): void {
  try {
    checkCsrf(request, expected)
  } catch {
    throw new PasskeyError(
      'csrf_failed',
      'This page has expired or was not sent from this site. Reload it and try again.',
    )
  }
}

/** Any refusal as a PasskeyError (OAuthError kept for the rate limit's 429); undefined for a fault. */
function asRefusal(
  error: FastifyError | PasskeyError | OAuthError | PageError,
): PasskeyError | OAuthError | undefined {
  if (error instanceof PasskeyError) return error
  if (error instanceof OAuthError) return error.status < 500 ? error : undefined
  const status = (error as FastifyError).statusCode ?? 500
  if (status >= 400 && status < 500) {
    return new PasskeyError('invalid_request', `The request could not be read: ${error.message}`, status)
  }
  return undefined
}

/**
 * The ceremonies' JSON API, called by /assets/passkeys.js: options and verification for adding a
 * passkey (signed in, bound to the session) and for signing in with one (bound to the pre-login
 * flow). Every request carries the page's CSRF token and comes from our origin; every refusal is a
 * 4xx with a stable `error` code and a sentence for the person; every refused sign-in goes through
 * recordPasskeyFailure.
 */
export function registerPasskeyApi(app: FastifyInstance, ctx: AuthorityContext): void {
  app.register(async (scope) => {
    scope.setErrorHandler(
      async (error: FastifyError | PasskeyError | OAuthError | PageError, request, reply) => {
        const refusal = asRefusal(error)
        if (refusal === undefined) {
          scope.log.error({ err: error }, 'passkey request failed')
          return reply.code(500).send({ error: 'server_error', error_description: 'internal error' })
        }
        // A refused sign-in, whatever refused it (even a body that is not JSON), is recorded once here.
        if (
          refusal instanceof PasskeyError &&
          request.routeOptions.url === PASSKEY_PATHS.authenticationVerify
        )
          await recordPasskeyFailure(ctx, request, refusal, credentialIdOf(request.body))
        const headers = refusal instanceof OAuthError ? refusal.headers : {}
        return reply.code(refusal.status).headers(headers).send(refusal.toJSON())
      },
    )
    scope.addHook('onRequest', async (request) =>
      takeOrRefuse(
        ctx.limits.perAddress,
        request.ip,
        'Too many requests from your network. Wait a moment and try again.',
      ),
    )
    scope.addHook('onRoute', (route) => {
      route.bodyLimit = PASSKEY_BODY_LIMIT
    })
    scope.addHook('onSend', async (_request, reply) => {
      reply.header('cache-control', 'no-store')
    })

    const signedInOrRefuse = async (request: FastifyRequest) => {
      const signedIn = await readSignedIn(request, ctx)
      if (signedIn === null) throw new PasskeyError('not_signed_in', 'Sign in first to add a passkey.')
      return signedIn
    }
    const preLoginOrRefuse = (request: FastifyRequest) => {
      const preLogin = readPreLogin(request, ctx)
      if (preLogin === undefined)
        throw new PasskeyError('csrf_failed', 'Your sign-in has expired in this browser. Reload the page.')
      return preLogin
    }

    scope.post(PASSKEY_PATHS.registrationOptions, async (request) => {
      jsonBody(request)
      const signedIn = await signedInOrRefuse(request)
      checkToken(request, signedIn.session.csrfToken)
      return registrationOptions(ctx, signedIn)
    })

    scope.post(PASSKEY_PATHS.registrationVerify, async (request) => {
      const body = jsonBody(request)
      const signedIn = await signedInOrRefuse(request)
      checkToken(request, signedIn.session.csrfToken)
      const named = body.name === undefined || body.name === '' ? 'Passkey' : passkeyName(body.name)
      if (named === undefined)
        throw new PasskeyError('invalid_request', 'A passkey name is 1 to 60 characters of text.')
      const passkey = await verifyRegistration(ctx, signedIn, { response: body.response, name: named })
      return { id: passkey.id, name: passkey.name, thumbprint: passkey.thumbprint }
    })

    scope.post(PASSKEY_PATHS.authenticationOptions, async (request) => {
      jsonBody(request)
      const preLogin = preLoginOrRefuse(request)
      checkToken(request, preLogin.csrfToken)
      return authenticationOptions(ctx, preLogin.flowId)
    })

    scope.post(PASSKEY_PATHS.authenticationVerify, async (request, reply) => {
      const body = jsonBody(request)
      const preLogin = preLoginOrRefuse(request)
      checkToken(request, preLogin.csrfToken)
      // The lockout (lockout/): an address lock refuses before the answer is looked at; the account
      // (the credential's owner) is known only from the answer, so its lock refuses a right one too.
      const addressLock = await ctx.lockout.check({ method: 'passkey', ip: request.ip })
      if (addressLock) return sendLocked(reply, addressLock)
      const result = await verifyAuthentication(ctx, preLogin.flowId, body.response)
      const accountLock = await ctx.lockout.check({
        method: 'passkey',
        account: result.user.id,
        ip: request.ip,
      })
      if (accountLock) return sendLocked(reply, accountLock)
      await ctx.lockout.recordSuccess({ method: 'passkey', account: result.user.id, ip: request.ip })
      const cookies = await startSession(request, ctx, result.user, result.amr)
      ctx.audit.record('passkey.signed_in', result.user.id, {
        credential: result.passkey.id.slice(0, 64),
        amr: result.amr,
      })
      const location = safeReturnTo(body.return_to ?? DEFAULT_RETURN_TO)
      return reply.header('set-cookie', cookies).send({ location })
    })
  })
}
