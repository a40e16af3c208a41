import { createServer, type Server } from 'node:http'
import { exportJWK, generateKeyPair, type JWTPayload, type Key, signJWT } from '@tessera/jose'

export interface LocalIssuer {
  readonly issuer: string
  readonly jwksUri: string
  /** Metadata fetches served so far. */
  readonly metadataHits: () => number
  sign(claims: JWTPayload, options?: { typ?: string; expiresIn?: number }): Promise<string>
  /** Serve metadata naming another issuer (the RFC 8414 §3.3 check must refuse it). */
  lieAboutIssuer(): void
  close(): Promise<void>
}

/** A minimal issuer on 127.0.0.1: RFC 8414 metadata and a JWKS with one ES256 key, for unit tests. */
export async function startLocalIssuer(): Promise<LocalIssuer> {
  const { privateKey, publicKey } = await generateKeyPair('ES256')
  const jwk = {
    ...(await exportJWK(publicKey as Key, { publicOnly: true })),
    kid: 'k1',
    alg: 'ES256',
    use: 'sig',
  }
  let hits = 0
  let lie = false
  let base = ''
  const server: Server = createServer((request, response) => {
    if (request.url === '/.well-known/oauth-authorization-server') {
      hits++
      response.writeHead(200, { 'content-type': 'application/json' })
      response.end(JSON.stringify({ issuer: lie ? 'https://evil.example' : base, jwks_uri: `${base}/jwks` }))
    } else if (request.url === '/jwks') {
      response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=300' })
      response.end(JSON.stringify({ keys: [jwk] }))
    } else {
      response.writeHead(404).end()
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
  return {
    issuer: base,
    jwksUri: `${base}/jwks`,
    metadataHits: () => hits,
    sign: (claims, options = {}) =>
      signJWT({ iss: base, aud: 'orders', sub: 'alice', scope: 'read', ...claims }, privateKey, {
        alg: 'ES256',
        kid: 'k1',
        typ: options.typ ?? 'at+jwt',
        expiresIn: options.expiresIn ?? 300,
      }),
    lieAboutIssuer: () => {
      lie = true
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}
