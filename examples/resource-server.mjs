// A resource server: an HTTP API that answers only requests carrying a valid access token from the
// Tessera authority, with the scope the route needs. Refusals are the exact RFC 6750 answers
// (401 invalid_token, 403 insufficient_scope, WWW-Authenticate) that @tessera/gateway produces.
//
//   ISSUER=http://localhost:3000 AUDIENCE=https://api.example/orders node examples/resource-server.mjs
import { createServer } from 'node:http'
import { createTokenVerifier, withTokenVerification } from '@tessera/gateway'

const issuer = process.env.ISSUER ?? 'http://localhost:3000'
const verifier = createTokenVerifier({
  issuer, // compared exactly with `iss`; the JWKS URL is discovered from its metadata
  audience: process.env.AUDIENCE ?? 'https://api.example/orders',
  algorithms: ['ES256'], // the authority's default signing algorithm
  typ: 'at+jwt', // RFC 9068 access tokens only: an ID token is not an access token
  allowInsecureHttp: new URL(issuer).protocol === 'http:', // a loopback development issuer only
})

const orders = withTokenVerification(
  verifier,
  (_request, response, identity) => {
    response.writeHead(200, { 'content-type': 'application/json' })
    response.end(JSON.stringify({ client: identity.client_id, orders: [{ id: 7, total: 42 }] }))
  },
  { scopes: ['orders:read'] },
)

const server = createServer((request, response) => {
  if (request.url === '/orders') return orders(request, response)
  response.writeHead(404).end()
})
server.listen(Number(process.env.PORT ?? 3001), '127.0.0.1', () => {
  console.log(`listening http://127.0.0.1:${server.address().port}`)
})
