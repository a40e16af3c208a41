import type { AuthorityContext } from '../authority-context.js'
import type { Client } from '../clients/client-registry.js'
import { OAuthError } from '../lib/oauth-error.js'

/**
 * RFC 8707 §2: the `resource` becomes the token's audience, and only a resource the client was
 * registered for (its `resources`; the first is its default). A client registered without resources
 * has one audience, the default (this issuer): naming any other URI would let any client mint tokens
 * for any API, so it is invalid_target. Registered resources were checked as absolute URIs at
 * registration, so no URL is parsed per token.
 */
export function resolveAudience(ctx: AuthorityContext, client: Client, resource: string | undefined): string {
  const allowed = client.metadata.resources ?? [ctx.config.issuer]
  if (resource === undefined) return allowed[0] as string
  if (!allowed.includes(resource)) {
    throw new OAuthError('invalid_target', 'this client may not request tokens for that resource')
  }
  return resource
}
