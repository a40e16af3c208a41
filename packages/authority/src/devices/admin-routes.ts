import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { AuthorityContext } from '../authority-context.js'
import { isDeviceId } from '../lib/identifiers.js'
import { OAuthError } from '../lib/oauth-error.js'
import { killSwitch } from '../refresh/refresh-endpoints.js'
import { deviceView } from './device-registry.js'

type ById = FastifyRequest<{ Params: { id: string } }>

function jsonBody(request: FastifyRequest): unknown {
  if (!request.headers['content-type']?.toLowerCase().startsWith('application/json')) {
    throw new OAuthError('invalid_request', 'the body must be application/json')
  }
  return request.body
}

const notFound = () => new OAuthError('not_found', 'no such device')

/**
 * The device registry's admin API (under /admin, behind the admin token): register, list, read,
 * change status, ACL or metadata, delete — and each device's refresh-token families, for audit.
 */
export function registerDeviceAdmin(admin: FastifyInstance, ctx: AuthorityContext): void {
  admin.post('/devices', async (request, reply) => {
    const device = await ctx.devices.register(jsonBody(request))
    ctx.audit.record('device.registered', device.id, { thumbprint: device.thumbprint, alg: device.alg })
    return reply.code(201).header('cache-control', 'no-store').send(deviceView(device))
  })

  admin.get('/devices', async () => ({ devices: (await ctx.devices.list()).map(deviceView) }))

  admin.get('/devices/:id', async (request: ById) => {
    const device = await ctx.devices.find(request.params.id)
    if (!device) throw notFound()
    return deviceView(device)
  })

  admin.patch('/devices/:id', async (request: ById) => {
    const device = await ctx.devices.update(request.params.id, jsonBody(request))
    if (!device) throw notFound()
    ctx.audit.record('device.updated', device.id, { status: device.status })
    return deviceView(device)
  })

  // Deleting a device first revokes everything it holds: a later device with the same id must not
  // inherit its refresh tokens.
  admin.delete('/devices/:id', async (request: ById, reply) => {
    const { id } = request.params
    if (!(await ctx.devices.find(id))) throw notFound()
    await killSwitch(ctx, 'device', id)
    if (!(await ctx.devices.remove(id))) throw notFound()
    ctx.audit.record('device.deleted', id, {})
    return reply.code(204).send()
  })

  admin.get('/devices/:id/refresh-families', async (request: ById) => {
    if (!isDeviceId(request.params.id)) throw notFound()
    const families = await ctx.storage.listRefreshFamilies(request.params.id)
    const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())
    return {
      families: await Promise.all(
        families.map(async (family) => ({
          id: family.id,
          client_id: family.clientId,
          created_at: iso(family.createdAt),
          expires_at: iso(family.expiresAt),
          revoked_at: iso(family.revokedAt),
          revoke_reason: family.revokeReason,
          // The chain, oldest first; hashes are truncated: enough to follow parents, useless to present.
          tokens: (await ctx.storage.listRefreshTokens(family.id)).map((token) => ({
            id: token.hash.slice(0, 16),
            parent: token.parentHash?.slice(0, 16) ?? null,
            issued_for: token.issuedFor?.slice(0, 16) ?? null,
            generation: token.generation,
            issued_at: iso(token.issuedAt),
            consumed_at: iso(token.consumedAt),
            consumed_reason: token.consumedReason,
          })),
        })),
      ),
    }
  })
}
