import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { AuthorityContext } from '../authority-context.js'
import { OAuthError } from '../lib/oauth-error.js'
import { killSwitch } from '../refresh/refresh-endpoints.js'
import type { UserQuery } from '../storage/types.js'
import { userView } from './user-record.js'

type ById = FastifyRequest<{ Params: { id: string } }>

const notFound = () => new OAuthError('not_found', 'no such user')
const MAX_PAGE = 100

function listQuery(raw: unknown): { email: string | undefined; limit: number; after: string | undefined } {
  const query = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>
  for (const name of Object.keys(query)) {
    if (!['email', 'limit', 'after'].includes(name))
      throw new OAuthError('invalid_request', `unknown query parameter "${name}"`)
  }
  const { email, limit, after } = query
  // Printable text only: a NUL or other control character never matches an address, and PostgreSQL
  // refuses NUL in text outright.
  if (
    email !== undefined &&
    (typeof email !== 'string' || email.length > 254 || !/^[\x20-\x7e]*$/.test(email))
  )
    throw new OAuthError('invalid_request', '"email" must be printable text of at most 254 characters')
  if (after !== undefined && typeof after !== 'string')
    throw new OAuthError('invalid_request', '"after" must be a user id')
  let size = 50
  if (limit !== undefined) {
    size = typeof limit === 'string' && /^\d{1,3}$/.test(limit) ? Number(limit) : 0
    if (size < 1 || size > MAX_PAGE)
      throw new OAuthError('invalid_request', `"limit" must be an integer from 1 to ${MAX_PAGE}`)
  }
  return { email: email?.trim().toLowerCase(), limit: size, after }
}

/**
 * The user admin API (under /admin, behind the admin token): search by email, read, disable and
 * enable, sign out everywhere, delete. Disabling and deleting end the user's browser sessions and
 * fire the kill switch for the user as subject: refresh families at once, access tokens inactive at
 * introspection.
 */
export function registerUserAdmin(admin: FastifyInstance, ctx: AuthorityContext): void {
  admin.get('/users', async (request) => {
    const { email, limit, after } = listQuery(request.query)
    const query: UserQuery = { limit: limit + 1 }
    if (email !== undefined) query.emailContains = email
    if (after !== undefined) {
      const from = await ctx.users.find(after)
      if (!from) throw new OAuthError('invalid_request', '"after" names no user')
      query.after = { createdAt: from.createdAt, id: from.id }
    }
    const users = await ctx.users.list(query)
    const page = users.slice(0, limit)
    return { users: page.map(userView), next: users.length > limit ? (page.at(-1)?.id ?? null) : null }
  })

  admin.get('/users/:id', async (request: ById) => {
    const user = await ctx.users.find(request.params.id)
    if (!user) throw notFound()
    const sessions = await ctx.sessions.list(user.id)
    return { ...userView(user), sessions: sessions.length }
  })

  admin.post('/users/:id/disable', async (request: ById) => {
    const user = await ctx.users.setStatus(request.params.id, 'disabled')
    if (!user) throw notFound()
    const ended = await ctx.sessions.endAllOf(user.id)
    const killed = await killSwitch(ctx, 'subject', user.id)
    ctx.audit.record('user.disabled', user.id, { sessions: ended })
    return {
      ...userView(user),
      sessions_ended: ended,
      refresh_families_revoked: killed.refresh_families_revoked,
    }
  })

  admin.post('/users/:id/enable', async (request: ById) => {
    const user = await ctx.users.setStatus(request.params.id, 'active')
    if (!user) throw notFound()
    ctx.audit.record('user.enabled', user.id, {})
    return userView(user)
  })

  admin.post('/users/:id/sign-out-everywhere', async (request: ById) => {
    const user = await ctx.users.find(request.params.id)
    if (!user) throw notFound()
    const ended = await ctx.sessions.endAllOf(user.id)
    ctx.audit.record('user.signed_out_everywhere', user.id, { sessions: ended, by: 'admin' })
    return { id: user.id, sessions_ended: ended }
  })

  // The kill switch first: a later user who somehow got the same id must not inherit anything.
  admin.delete('/users/:id', async (request: ById, reply) => {
    const user = await ctx.users.find(request.params.id)
    if (!user) throw notFound()
    await ctx.sessions.endAllOf(user.id)
    await killSwitch(ctx, 'subject', user.id)
    if (!(await ctx.users.remove(user.id))) throw notFound()
    ctx.audit.record('user.deleted', user.id, {})
    return reply.code(204).send()
  })
}
