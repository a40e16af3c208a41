import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { AuthorityContext } from '../authority-context.js'
import { registerDeviceAdmin } from '../devices/admin-routes.js'
import { RotationConflict } from '../keys/key-manager.js'
import { requireAdmin } from '../lib/admin-auth.js'
import { OAuthError } from '../lib/oauth-error.js'
import { PATHS } from '../lib/paths.js'
import { registerPasskeyAdmin } from '../passkeys/admin-routes.js'
import { registerKillSwitch } from '../refresh/refresh-endpoints.js'
import { registerResourceAdmin } from '../resources/admin-routes.js'
import { registerUserAdmin } from '../users/admin-routes.js'
import { normalizeEmail } from '../users/normalize-email.js'

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())

/**
 * The admin API, all behind the admin bearer token: keys with their states and dates, rotate now,
 * revoke a key; list and disable clients; devices and the kill switch; the resource registry; the
 * latest audit events; lifting a sign-in lockout.
 */
export function registerAdmin(app: FastifyInstance, ctx: AuthorityContext): void {
  app.register(
    async (admin) => {
      admin.addHook('onRequest', async (request: FastifyRequest) =>
        requireAdmin(request.headers.authorization, ctx.adminToken),
      )

      admin.get('/keys', async () => {
        const keys = await ctx.storage.listKeys()
        return {
          keys: keys.map((key) => ({
            kid: key.kid,
            alg: key.alg,
            state: key.state,
            created_at: iso(key.createdAt),
            activated_at: iso(key.activatedAt),
            retired_at: iso(key.retiredAt),
          })),
        }
      })

      admin.post('/keys/rotate', async () => {
        try {
          await ctx.keys.rotateNow()
        } catch (error) {
          if (error instanceof RotationConflict)
            throw new OAuthError('invalid_request', error.message, { status: 409 })
          throw error
        }
        return { signing_kid: ctx.keys.ring.signing?.kid }
      })

      admin.post<{ Params: { kid: string } }>('/keys/:kid/revoke', async (request) => {
        if (!(await ctx.keys.revoke(request.params.kid))) {
          throw new OAuthError('not_found', 'no such key, or it is already revoked')
        }
        return { revoked: request.params.kid, signing_kid: ctx.keys.ring.signing?.kid }
      })

      admin.get('/clients', async () => {
        const clients = await ctx.clients.list()
        return {
          clients: clients.map((client) => ({
            client_id: client.clientId,
            disabled: client.disabled,
            ...client.metadata,
          })),
        }
      })

      admin.post<{ Params: { clientId: string } }>('/clients/:clientId/disable', async (request) => {
        if (!(await ctx.clients.setDisabled(request.params.clientId, true))) {
          throw new OAuthError('not_found', 'no such client')
        }
        ctx.audit.record('client.disabled', request.params.clientId, {})
        return { client_id: request.params.clientId, disabled: true }
      })

      // Lifts a sign-in lockout (a permanent one, with lockoutPermanentAfter) and forgets its failures.
      admin.post('/lockouts/clear', async (request) => {
        const body = request.body as Record<string, unknown> | null
        const account = typeof body === 'object' && body !== null ? body.account : undefined
        if (typeof account !== 'string' || account.length === 0 || account.length > 320) {
          throw new OAuthError('invalid_request', 'the body must be {"account": email address or user id}')
        }
        const key = normalizeEmail(account) ?? account
        await ctx.lockout.clear(key)
        ctx.audit.record('lockout.cleared', key, {})
        return { account: key, cleared: true }
      })

      registerDeviceAdmin(admin, ctx)
      registerKillSwitch(admin, ctx)
      registerUserAdmin(admin, ctx)
      registerResourceAdmin(admin, ctx)
      registerPasskeyAdmin(admin, ctx)

      admin.get('/audit', async () => {
        await ctx.audit.flush()
        return { events: await ctx.storage.listAudit(100) }
      })
    },
    { prefix: PATHS.admin },
  )
}
