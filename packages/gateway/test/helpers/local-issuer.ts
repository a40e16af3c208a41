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
  /** Replace the signing key: the JWKS then holds only the new one, and tokens are signed by it. */
  rotate(): Promise<void>
  close(): Promise<void>
}

/** A minimal issuer on 127.0.0.1: RFC 8414 metadata and a JWKS with one ES256 key, for unit tests. */
async function signingKey(kid: string) {
  const { privateKey, publicKey } = await generateKeyPair('ES256')
  const jwk = { ...(await exportJWK(publicKey as Key, { publicOnly: true })), kid, alg: 'ES256', use: 'sig' }
  return { privateKey, jwk }
}

export async function startLocalIssuer(): Promise<LocalIssuer> {
  let current = await signingKey('k1')
  let generation = 1
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
      response.end(JSON.stringify({ keys: [current.jwk] }))
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
      signJWT({ iss: base, aud: 'orders', sub: 'alice', scope: 'read', ...claims }, current.privateKey, {
        alg: 'ES256',
        kid: current.jwk.kid,
        typ: options.typ ?? 'at+jwt',
        expiresIn: options.expiresIn ?? 300,
      }),
    lieAboutIssuer: () => {
      lie = true
    },
    rotate: async () => {
      generation++
      current = await signingKey(`k${generation}`)
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}
