import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { AuthorityContext } from '../authority-context.js'
import { formOf } from '../lib/form-body.js'
import { PageError } from '../pages/page-error.js'
import { checkCsrf } from '../sessions/csrf.js'
import { readSignedIn } from '../sessions/read-session.js'
import { passkeyName } from './passkey-view.js'

export const WEBAUTHN_SCRIPT_PATH = '/assets/simplewebauthn-browser.js'
export const PASSKEY_SCRIPT_PATH = '/assets/passkeys.js'
/** The scripts of a page with passkey ceremonies, in load order. */
export const PASSKEY_SCRIPTS = [WEBAUTHN_SCRIPT_PATH, PASSKEY_SCRIPT_PATH] as const

/**
 * The two script files, read once: SimpleWebAuthn's own UMD bundle from the installed package (its
 * `exports` name only the module entry, so the bundle is found beside it), and ours. Both from this
 * authority, never from a CDN.
 */
function loadScripts(): { webauthn: string; passkeys: string } {
  const entry = createRequire(import.meta.url).resolve('@simplewebauthn/browser')
  const bundle = join(dirname(entry), '..', 'dist', 'bundle', 'index.umd.min.js')
  const ours = new URL('../../assets/passkeys.js', import.meta.url)
  return { webauthn: readFileSync(bundle, 'utf8'), passkeys: readFileSync(ours, 'utf8') }
}

const PASSKEY_ID = /^[A-Za-z0-9_-]{1,1364}$/

/**
 * The passkey parts of the pages: the script files, and the account page's plain forms to rename
 * and remove a passkey (only the user's own; CSRF-checked like every form).
 */
export function registerPasskeyPages(scope: FastifyInstance, ctx: AuthorityContext): void {
  const scripts = loadScripts()
  const script = (text: string) => async (_request: FastifyRequest, reply: FastifyReply) =>
    reply
      .header('content-type', 'text/javascript; charset=utf-8')
      .header('cache-control', 'public, max-age=3600')
      .header('x-content-type-options', 'nosniff')
      .send(text)
  scope.get(WEBAUTHN_SCRIPT_PATH, script(scripts.webauthn))
  scope.get(PASSKEY_SCRIPT_PATH, script(scripts.passkeys))

  const ownPasskey = async (request: FastifyRequest) => {
    const form = formOf(request.body, request.headers['content-type'])
    const signedIn = await readSignedIn(request, ctx)
    if (signedIn === null) return undefined
    checkCsrf(request, signedIn.session.csrfToken)
    const id = form.passkey_id
    if (id === undefined || !PASSKEY_ID.test(id)) throw new PasskeyPageError()
    return { signedIn, id, form }
  }
  const backToAccount = (reply: FastifyReply) =>
    reply.code(303).header('location', '/account').header('cache-control', 'no-store').send()
  const toSignIn = (reply: FastifyReply) =>
    reply.code(303).header('location', '/signin?return_to=/account').send()

  scope.post('/account/passkeys/rename', async (request, reply) => {
    const found = await ownPasskey(request)
    if (found === undefined) return toSignIn(reply)
    const name = passkeyName(found.form.name)
    if (name === undefined)
      throw new PageError('bad_request', 'A passkey name is 1 to 60 characters of text.')
    if (!(await ctx.storage.renamePasskey(found.id, found.signedIn.user.id, name)))
      throw new PasskeyPageError()
    ctx.audit.record('passkey.renamed', found.signedIn.user.id, { credential: found.id.slice(0, 64) })
    return backToAccount(reply)
  })

  scope.post('/account/passkeys/remove', async (request, reply) => {
    const found = await ownPasskey(request)
    if (found === undefined) return toSignIn(reply)
    if (!(await ctx.storage.deletePasskey(found.id, found.signedIn.user.id))) throw new PasskeyPageError()
    ctx.audit.record('passkey.removed', found.signedIn.user.id, { credential: found.id.slice(0, 64) })
    return backToAccount(reply)
  })
}

/** Someone else's passkey id, or one already removed: the same answer, so ids reveal nothing. */
class PasskeyPageError extends PageError {
  constructor() {
    super('not_found', 'That passkey is not one of yours, or it was already removed.', {
      title: 'Passkey not found',
    })
  }
}
