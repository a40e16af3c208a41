import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { AuthorityContext } from '../authority-context.js'
import { OAuthError } from '../lib/oauth-error.js'
import { passkeyView } from './passkey-view.js'

/**
 * The passkey admin API (under /admin, behind the admin token): a user's passkeys with their public
 * JWKs and thumbprints, revoked ones included; and revoke one. A revoked passkey signs nobody in and
 * its credential id cannot be registered again.
 */
export function registerPasskeyAdmin(admin: FastifyInstance, ctx: AuthorityContext): void {
  admin.get('/users/:id/passkeys', async (request: FastifyRequest<{ Params: { id: string } }>) => {
    const user = await ctx.users.find(request.params.id)
    if (!user) throw new OAuthError('not_found', 'no such user')
    const passkeys = await ctx.storage.listPasskeys(user.id)
    return { user_id: user.id, passkeys: passkeys.map(passkeyView) }
  })

  admin.post('/passkeys/:id/revoke', async (request: FastifyRequest<{ Params: { id: string } }>) => {
    const passkey = await ctx.storage.findPasskey(request.params.id)
    if (!passkey) throw new OAuthError('not_found', 'no such passkey')
    if (!(await ctx.storage.revokePasskey(passkey.id, ctx.clock.now())))
      throw new OAuthError('invalid_request', 'the passkey is already revoked', { status: 409 })
    ctx.audit.record('passkey.revoked', passkey.userId, { credential: passkey.id.slice(0, 64), by: 'admin' })
    return passkeyView((await ctx.storage.findPasskey(passkey.id)) ?? passkey)
  })
}
