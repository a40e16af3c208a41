import { exportJWK, generateKeyPair } from 'jose'
import Provider from 'oidc-provider'

/**
 * node-oidc-provider configured for the same job as Tessera: client_credentials with ES256 JWT access
 * tokens through a resource indicator, plus opaque tokens for a second resource (what its
 * introspection endpoint is measured on). Run as a child process by run.ts; prints "ready <port>".
 */
const port = Number(process.argv[2] ?? 0)
const BENCH_CLIENT = { id: process.argv[3] ?? 'bench-client', secret: process.argv[4] ?? 'bench-secret' }
const { privateKey } = await generateKeyPair('ES256', { extractable: true })
const jwk = { ...(await exportJWK(privateKey)), kid: 'bench', alg: 'ES256', use: 'sig' }

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [
    {
      client_id: BENCH_CLIENT.id,
      client_secret: BENCH_CLIENT.secret,
      grant_types: ['client_credentials'],
      redirect_uris: [],
      response_types: [],
      token_endpoint_auth_method: 'client_secret_basic',
      // Its default is RS256, and the only key here is the ES256 one the tokens are signed with.
      id_token_signed_response_alg: 'ES256',
      scope: 'read',
    },
  ],
  jwks: { keys: [jwk] },
  features: {
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    devInteractions: { enabled: false },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => 'https://api.example',
      useGrantedResource: () => true,
      getResourceServerInfo: (_ctx: unknown, resource: string) => ({
        scope: 'read',
        audience: resource,
        accessTokenTTL: 900,
        accessTokenFormat: resource === 'https://opaque.example' ? 'opaque' : 'jwt',
        jwt: { sign: { alg: 'ES256' } },
      }),
    },
  },
  scopes: ['read'],
})
// oidc-provider's own console hints about defaults would pollute the benchmark output.
provider.on('server_error', (_ctx: unknown, error: Error) => console.error(error))
const server = provider.listen(port, '127.0.0.1', () => {
  process.stdout.write(`ready ${port}\n`)
})
process.on('SIGTERM', () => server.close(() => process.exit(0)))
