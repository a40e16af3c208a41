import { createPublicKey, generateKeyPairSync, randomUUID, sign } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'

/**
 * The machine's floor for the authority benchmark: the fastest this Node can answer the same requests
 * with nothing but node:http and node:crypto — no framework, no client authentication, no storage.
 *
 * - `jwks`: a fixed JWK Set body with the same headers the authority sends.
 * - `jwt-sync` / `jwt-async`: reads the POST body, then answers a token response holding a freshly
 *   ES256-signed RFC 9068 access token (random jti), signed on the main thread or on the thread pool.
 *
 * Run as a child process by run.ts: `floor-server.js <mode> <port>`.
 */
const mode = process.argv[2]
const port = Number(process.argv[3] ?? 0)
const { privateKey: key } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const kid = 'floor'
const jwksBody = Buffer.from(
  JSON.stringify({
    keys: [{ ...createPublicKey(key).export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' }],
  }),
)
const jwksHeaders = {
  'content-type': 'application/jwk-set+json; charset=utf-8',
  'cache-control': 'public, max-age=300',
  etag: '"floor"',
  'content-length': String(jwksBody.length),
}
const header = Buffer.from(JSON.stringify({ alg: 'ES256', typ: 'at+jwt', kid })).toString('base64url')

function signingInput(): string {
  const now = Math.floor(Date.now() / 1000)
  const claims = {
    iss: `http://127.0.0.1:${port}`,
    sub: 'bench-client',
    aud: 'https://api.example',
    client_id: 'bench-client',
    scope: 'read',
    iat: now,
    exp: now + 900,
    jti: randomUUID(),
  }
  return `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`
}

function answer(response: ServerResponse, input: string, signature: Buffer): void {
  const body = JSON.stringify({
    access_token: `${input}.${signature.toString('base64url')}`,
    token_type: 'Bearer',
    expires_in: 900,
    scope: 'read',
  })
  response.writeHead(200, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    pragma: 'no-cache',
    'content-length': String(Buffer.byteLength(body)),
  })
  response.end(body)
}

function token(request: IncomingMessage, response: ServerResponse): void {
  request.resume()
  request.on('end', () => {
    const input = signingInput()
    if (mode === 'jwt-sync') {
      answer(response, input, sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }))
      return
    }
    sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }, (error, signature) => {
      if (error) response.writeHead(500).end()
      else answer(response, input, signature)
    })
  })
}

const server = createServer((request, response) => {
  if (mode === 'jwks') response.writeHead(200, jwksHeaders).end(jwksBody)
  else token(request, response)
})
server.keepAliveTimeout = 60_000
server.listen(port, '127.0.0.1', () => process.stdout.write(`ready ${port}\n`))
