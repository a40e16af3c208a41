/** Endpoint paths, relative to the issuer; the metadata document is built from this table. */
export const PATHS = {
  metadata: '/.well-known/oauth-authorization-server',
  openidConfiguration: '/.well-known/openid-configuration',
  jwks: '/.well-known/jwks.json',
  token: '/oauth/token',
  introspection: '/oauth/introspect',
  revocation: '/oauth/revoke',
  registration: '/oauth/register',
  admin: '/admin',
} as const

export function endpointUrl(config: { readonly issuer: string }, path: string): string {
  return `${config.issuer}${path}`
}
