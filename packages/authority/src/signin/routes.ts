import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { AuthorityContext } from '../authority-context.js'
import { signInMessage } from '../email/sign-in-message.js'
import { formOf } from '../lib/form-body.js'
import type { html } from '../pages/html.js'
import { developmentBanner, renderPage } from '../pages/layout.js'
import { PageError } from '../pages/page-error.js'
import { sendPage } from '../pages/send-page.js'
import { checkCsrf } from '../sessions/csrf.js'
import { readSignedIn } from '../sessions/read-session.js'
import type { SignInFlowRecord } from '../storage/types.js'
import { normalizeEmail } from '../users/normalize-email.js'
import { completeSignIn } from './complete-sign-in.js'
import { isLinkToken, MAX_CODE_ATTEMPTS, normalizeCode, PROOF_LIFETIME_MS } from './email-proof.js'
import { ensurePreLogin, type PreLogin, readPreLogin } from './pre-login.js'
import { DEFAULT_RETURN_TO, safeReturnTo } from './return-to.js'
import { checkEmailBody, confirmLinkBody, otherBrowserBody, signInForm } from './signin-pages.js'

const seeOther = (reply: FastifyReply, location: string) =>
  reply.code(303).header('location', location).header('cache-control', 'no-store').send()

const expiredForm = () =>
  new PageError('csrf_failed', 'Your sign-in has expired in this browser. Start again.', {
    title: 'Start again',
  })

/** A POST of a pre-login form: the browser must hold the pre-login cookie and send its CSRF token. */
function preLoginPost(
  request: FastifyRequest,
  ctx: AuthorityContext,
): { preLogin: PreLogin; form: Record<string, string> } {
  const form = formOf(request.body, request.headers['content-type'])
  const preLogin = readPreLogin(request, ctx)
  if (preLogin === undefined) throw expiredForm()
  checkCsrf(request, preLogin.csrfToken)
  return { preLogin, form }
}

function tooMany(wait: number): PageError {
  const minutes = Math.max(1, Math.ceil(wait / 60))
  return new PageError(
    'too_many_requests',
    `Too many sign-in emails were asked for. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`,
    { headers: { 'retry-after': String(wait) } },
  )
}

/**
 * Issues a fresh proof for the flow (replacing any earlier one: a new code invalidates the old) and
 * sends the email when the address may sign in. Known and unknown addresses cost the same writes
 * and the same rate-limit charge; the mail goes out after the answer, so timing says nothing either.
 */
async function issueProof(
  request: FastifyRequest,
  ctx: AuthorityContext,
  preLogin: PreLogin,
  email: string,
  returnTo: string,
): Promise<void> {
  const wait = await ctx.signin.sendLimits.take(email, request.ip)
  if (wait > 0) throw tooMany(wait)
  const now = ctx.clock.now()
  const proof = ctx.signin.proofs.fresh()
  await ctx.storage.saveSignInFlow({
    id: preLogin.flowId,
    email,
    returnTo,
    codeHash: proof.codeHash,
    linkHash: proof.linkHash,
    attempts: 0,
    issuedAt: now,
    expiresAt: now + PROOF_LIFETIME_MS,
    consumedAt: null,
    address: request.ip.slice(0, 100),
  })
  if (!(await ctx.users.maySignIn(email))) return
  const message = signInMessage({
    to: email,
    code: proof.code,
    link: `${ctx.config.issuer}/signin/link?token=${proof.linkToken}`,
    issuer: ctx.config.issuer,
    validMinutes: PROOF_LIFETIME_MS / 60_000,
  })
  ctx.mailer.send(message).catch((error: unknown) => ctx.log.error({ err: error }, 'sign-in email failed'))
}

async function liveFlow(
  ctx: AuthorityContext,
  preLogin: PreLogin | undefined,
): Promise<SignInFlowRecord | undefined> {
  if (preLogin === undefined) return undefined
  const flow = await ctx.storage.findSignInFlow(preLogin.flowId)
  if (flow === undefined || flow.consumedAt !== null || flow.expiresAt <= ctx.clock.now()) return undefined
  return flow
}

/**
 * The email sign-in: `/signin` (address) → `/signin/check` (code form) → signed in; or the email's
 * link → `/signin/link` (confirm page, whose button POSTs) → signed in. Every POST checks the
 * pre-login CSRF token and the request's origin.
 */
export function registerSignIn(scope: FastifyInstance, ctx: AuthorityContext): void {
  const page = (reply: FastifyReply, status: number, title: string, body: ReturnType<typeof html>) =>
    sendPage(reply, status, renderPage({ title, body, banner: developmentBanner(ctx) }))

  scope.get<{ Querystring: Record<string, unknown> }>('/signin', async (request, reply) => {
    const preLogin = ensurePreLogin(request, reply, ctx)
    const signedIn = await readSignedIn(request, ctx)
    const returnTo = safeReturnTo(request.query.return_to)
    return page(
      reply,
      200,
      'Sign in',
      signInForm({
        csrfToken: preLogin.csrfToken,
        returnTo,
        ...(signedIn ? { signedInAs: signedIn.user.email } : {}),
      }),
    )
  })

  scope.post('/signin', async (request, reply) => {
    const { preLogin, form } = preLoginPost(request, ctx)
    const returnTo = safeReturnTo(form.return_to ?? DEFAULT_RETURN_TO)
    const email = normalizeEmail(form.email)
    if (email === undefined) {
      return page(
        reply,
        400,
        'Sign in',
        signInForm({
          csrfToken: preLogin.csrfToken,
          returnTo,
          email: (form.email ?? '').slice(0, 254),
          error: { message: 'Enter an email address such as name@example.com.' },
        }),
      )
    }
    await issueProof(request, ctx, preLogin, email, returnTo)
    return seeOther(reply, '/signin/check')
  })

  scope.get<{ Querystring: Record<string, unknown> }>('/signin/check', async (request, reply) => {
    const preLogin = readPreLogin(request, ctx)
    const flow = await liveFlow(ctx, preLogin)
    if (preLogin === undefined || flow === undefined) return seeOther(reply, '/signin')
    return page(
      reply,
      200,
      'Check your email',
      checkEmailBody({
        csrfToken: preLogin.csrfToken,
        email: flow.email,
        resent: request.query.sent === '1',
      }),
    )
  })

  scope.post('/signin/resend', async (request, reply) => {
    const { preLogin } = preLoginPost(request, ctx)
    const flow = await ctx.storage.findSignInFlow(preLogin.flowId)
    if (flow === undefined) return seeOther(reply, '/signin')
    await issueProof(request, ctx, preLogin, flow.email, flow.returnTo)
    return seeOther(reply, '/signin/check?sent=1')
  })

  scope.post('/signin/code', async (request, reply) => {
    const { preLogin, form } = preLoginPost(request, ctx)
    const flow = await liveFlow(ctx, preLogin)
    if (flow === undefined) throw expiredForm()
    const retry = (status: number, message: string, code?: string) =>
      page(
        reply,
        status,
        'Check your email',
        checkEmailBody({
          csrfToken: preLogin.csrfToken,
          email: flow.email,
          error: { message },
          ...(code ? { code } : {}),
        }),
      )
    const code = normalizeCode(form.code)
    if (code === undefined)
      return retry(400, 'Type the 8 digits from the email.', (form.code ?? '').slice(0, 12))
    // The guess is counted (atomically, in the database) before the code is compared.
    const now = ctx.clock.now()
    const counted = await ctx.storage.countCodeAttempt(flow.id, now, MAX_CODE_ATTEMPTS)
    if (counted === undefined || !ctx.signin.proofs.codeMatches(code, counted.codeHash)) {
      const left = counted === undefined ? 0 : MAX_CODE_ATTEMPTS - counted.attempts
      ctx.audit.record('signin.code_failed', 'signin', { email: flow.email, attempts_left: left })
      return retry(
        400,
        left > 0
          ? `That code is not right. ${left} attempt${left === 1 ? '' : 's'} left.`
          : 'That code can no longer be used. Send a new code and type the new one.',
      )
    }
    if (!(await ctx.storage.consumeSignInFlow(flow.id, now, { codeHash: counted.codeHash }))) {
      return retry(400, 'That code can no longer be used. Send a new code and type the new one.')
    }
    return completeSignIn(request, reply, ctx, counted, ['otp'])
  })

  scope.get<{ Querystring: Record<string, unknown> }>('/signin/link', async (request, reply) => {
    const token = request.query.token
    if (!isLinkToken(token))
      throw new PageError(
        'bad_request',
        'This sign-in link is incomplete. Copy the whole link from the email.',
      )
    const flow = await ctx.storage.findSignInFlowByLink(ctx.signin.proofs.linkHash(token))
    if (flow === undefined || flow.consumedAt !== null || flow.expiresAt <= ctx.clock.now()) {
      throw new PageError(
        'bad_request',
        'This sign-in link has expired or was already used. Ask for a new one.',
        {
          title: 'Link expired',
        },
      )
    }
    const preLogin = readPreLogin(request, ctx)
    if (preLogin === undefined || preLogin.flowId !== flow.id) {
      return page(reply, 200, 'Continue on your other device', otherBrowserBody())
    }
    return page(
      reply,
      200,
      'Confirm sign-in',
      confirmLinkBody({ csrfToken: preLogin.csrfToken, token, email: flow.email }),
    )
  })

  scope.post('/signin/link', async (request, reply) => {
    const { preLogin, form } = preLoginPost(request, ctx)
    const token = form.token
    if (!isLinkToken(token)) throw new PageError('bad_request', 'This sign-in link is incomplete.')
    const linkHash = ctx.signin.proofs.linkHash(token)
    const flow = await ctx.storage.findSignInFlowByLink(linkHash)
    // Bound to this browser: the link's flow must be the one this pre-login cookie started.
    if (flow === undefined || flow.id !== preLogin.flowId) {
      return page(reply, 403, 'Continue on your other device', otherBrowserBody())
    }
    if (!(await ctx.storage.consumeSignInFlow(flow.id, ctx.clock.now(), { linkHash }))) {
      throw new PageError(
        'bad_request',
        'This sign-in link has expired or was already used. Ask for a new one.',
        {
          title: 'Link expired',
        },
      )
    }
    return completeSignIn(request, reply, ctx, flow, ['email'])
  })
}
