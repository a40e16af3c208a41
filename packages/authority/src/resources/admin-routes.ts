import type { FastifyInstance } from 'fastify'
import type { AuthorityContext } from '../authority-context.js'
import { OAuthError } from '../lib/oauth-error.js'
import { validateResourceMetadata } from './resource-metadata.js'
import type { Resource } from './resource-registry.js'

const view = (resource: Resource) => ({
  ...resource.metadata,
  created_at: new Date(resource.createdAt).toISOString(),
  updated_at: new Date(resource.updatedAt).toISOString(),
})

function resourceParam(query: unknown): string {
  const value = (query as Record<string, unknown> | undefined)?.resource
  if (typeof value !== 'string' || value.length === 0)
    throw new OAuthError('invalid_request', '"resource" is required as a query parameter')
  return value
}

/**
 * The resource registry of the admin API (under the admin prefix and its bearer check): register or
 * replace an API's encryption key, list, read and remove them. Resources are named by their URI,
 * which is not a path segment, so single-resource routes take it as `?resource=`.
 */
export function registerResourceAdmin(admin: FastifyInstance, ctx: AuthorityContext): void {
  admin.post('/resources', async (request, reply) => {
    const metadata = validateResourceMetadata(request.body, ctx.config.allowHttpJwksUri)
    const resource = await ctx.encryption.resources.register(metadata)
    ctx.audit.record('resource.registered', metadata.resource, { alg: metadata.encryption_alg })
    return reply.code(201).send(view(resource))
  })

  admin.get('/resources', async () => ({ resources: (await ctx.encryption.resources.list()).map(view) }))

  admin.get('/resource', async (request) => {
    const resource = await ctx.encryption.resources.find(resourceParam(request.query))
    if (!resource) throw new OAuthError('not_found', 'no such resource')
    return view(resource)
  })

  admin.delete('/resource', async (request) => {
    const uri = resourceParam(request.query)
    if (!(await ctx.encryption.resources.remove(uri))) throw new OAuthError('not_found', 'no such resource')
    ctx.audit.record('resource.removed', uri, {})
    return { resource: uri, removed: true }
  })
}
