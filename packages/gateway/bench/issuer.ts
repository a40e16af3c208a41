import { createServer } from 'node:http'
import { exportJWK, generateKeyPair, type JWTPayload, type Key, signJWT } from '@tessera/jose'

export interface BenchIssuer {
  readonly issuer: string
  /** An ES256 `at+jwt` for audience `bench`, valid 2 h, with a fresh jti. */
  sign(claims: JWTPayload): Promise<string>
  close(): void
}

/** The issuer every contender trusts: RFC 8414 metadata and a one-key JWKS (cacheable for an hour). */
export async function startBenchIssuer(kid: string): Promise<BenchIssuer> {
  const { privateKey, publicKey } = await generateKeyPair('ES256')
  const jwk = { ...(await exportJWK(publicKey as Key, { publicOnly: true })), kid, alg: 'ES256', use: 'sig' }
  let base = ''
  const server = createServer((request, response) => {
    if (request.url?.startsWith('/.well-known/oauth-authorization-server')) {
      response.writeHead(200, { 'content-type': 'application/json' })
      response.end(JSON.stringify({ issuer: base, jwks_uri: `${base}/.well-known/jwks.json` }))
    } else if (request.url === '/.well-known/jwks.json') {
      response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=3600' })
      response.end(JSON.stringify({ keys: [jwk] }))
    } else response.writeHead(404).end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
  return {
    issuer: base,
    sign: (claims) =>
      signJWT({ iss: base, aud: 'bench', ...claims }, privateKey, {
        alg: 'ES256',
        kid,
        typ: 'at+jwt',
        expiresIn: '2h',
        jti: true,
      }),
    close: () => server.close(),
  }
}
