import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { compactDecrypt, decodeProtectedHeader, exportJWK, generateKeyPair, type JWK } from '@tessera/jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  ADMIN_TOKEN,
  type RunningAuthority,
  registerClient,
  requestToken,
  startAuthority,
  tempDir,
} from './helpers/authority.js'

// A resource's jwks_uri is fetched with the remote JWK set client's limits (size, time, no
// redirects), cached, and refetched once when no key fits — against a real loopback server.

type Handler = (request: IncomingMessage, response: ServerResponse) => void

const dir = tempDir()
let running: RunningAuthority
let server: Server
let base: string
const handlers = new Map<string, Handler>()
const hits = new Map<string, number>()

beforeAll(async () => {
  server = createServer((request, response) => {
    const path = request.url ?? ''
    hits.set(path, (hits.get(path) ?? 0) + 1)
    const handler = handlers.get(path)
    if (handler) handler(request, response)
    else response.writeHead(404).end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  running = await startAuthority({ dataDir: dir.path, allowHttpJwksUri: true })
})
afterAll(async () => {
  await running?.close()
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
  dir.remove()
})

const json =
  (body: unknown, headers: Record<string, string> = {}): Handler =>
  (_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body))
  }

async function encryptionKey(kid: string) {
  const { publicKey, privateKey } = await generateKeyPair('ECDH-ES+A256KW')
  return { jwk: { ...(await exportJWK(publicKey)), use: 'enc', kid } as JWK, privateKey }
}

/** Registers a resource at `path` on the loopback server and a client for it; returns a token request. */
async function resourceAt(path: string) {
  const resource = `https://api.example${path}`
  const response = await fetch(`${running.url}/admin/resources`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      resource,
      name: path,
      jwks_uri: `${base}${path}`,
      encryption_alg: 'ECDH-ES+A256KW',
    }),
  })
  expect(response.status).toBe(201)
  const client = await registerClient(running.url, { resources: [resource] })
  return () => requestToken(running.url, client, { resource })
}

const decryptOptions = {
  keyManagementAlgorithms: ['ECDH-ES+A256KW'],
  contentEncryptionAlgorithms: ['A256GCM'],
}

describe('a resource publishing its encryption key at jwks_uri', () => {
  it('is fetched once and cached; a set without a fitting key is refetched once, then used', async () => {
    const first = await encryptionKey('k1')
    const { jwk: signingOnly } = await encryptionKey('sig-only')
    let served = 0
    // The first answer has no use:enc key (a rotation half done); the refetch finds the new one.
    handlers.set('/rotating', (request, response) => {
      served += 1
      const keys = served === 1 ? [{ ...signingOnly, use: 'sig' }] : [first.jwk]
      json({ keys }, { 'cache-control': 'max-age=300' })(request, response)
    })
    const token = await resourceAt('/rotating')
    const issued = await token()
    expect(issued.status).toBe(200)
    const jwe = issued.body.access_token as string
    expect(decodeProtectedHeader(jwe).kid).toBe('k1')
    expect((await compactDecrypt(jwe, first.privateKey, decryptOptions)).protectedHeader.cty).toBe('JWT')
    expect(hits.get('/rotating')).toBe(2)
    // Fresh for max-age: more tokens, no more fetches.
    expect((await token()).status).toBe(200)
    expect((await token()).status).toBe(200)
    expect(hits.get('/rotating')).toBe(2)
  })

  it('fails closed when no key ever fits: 400 invalid_request, refetched at most once per cooldown', async () => {
    const { jwk } = await encryptionKey('wrong')
    handlers.set('/no-enc', json({ keys: [{ ...jwk, use: 'sig' }] }))
    const token = await resourceAt('/no-enc')
    const answer = await token()
    expect(answer.status).toBe(400)
    expect(answer.body).toMatchObject({ error: 'invalid_request' })
    expect(answer.body.error_description).toMatch(/no encryption key/)
    expect(hits.get('/no-enc')).toBe(2)
    expect((await token()).status).toBe(400)
    expect(hits.get('/no-enc')).toBe(2)
  })

  it('refuses an oversized set, a redirect and a non-JSON answer: 503, never an unencrypted token', async () => {
    const { jwk } = await encryptionKey('k')
    handlers.set('/huge', json({ keys: [jwk], padding: 'x'.repeat(70 * 1024) }))
    handlers.set('/redirect', (_request, response) => {
      response.writeHead(302, { location: `${base}/target` }).end()
    })
    handlers.set('/target', json({ keys: [jwk] }))
    handlers.set('/html', (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html' }).end('<html></html>')
    })
    for (const path of ['/huge', '/redirect', '/html']) {
      const token = await resourceAt(path)
      const answer = await token()
      expect(answer.status, path).toBe(503)
      expect(answer.body.error, path).toBe('temporarily_unavailable')
      expect(answer.headers.get('retry-after')).toBe('5')
      expect(answer.body.access_token).toBeUndefined()
      // Right after a failed fetch the next request fails fast, without fetching again.
      expect((await token()).status).toBe(503)
      expect(hits.get(path), path).toBe(1)
    }
    expect(hits.get('/target')).toBeUndefined()
  })

  it('gives up on a set that does not answer within the fetch timeout', async () => {
    handlers.set('/slow', () => {
      // Never answers: the 3 s bound of each fetch must end the request.
    })
    const started = Date.now()
    const answer = await (await resourceAt('/slow'))()
    expect(answer.status).toBe(503)
    expect(answer.body.error_description).toMatch(/ERR_JWKS_TIMEOUT/)
    expect(Date.now() - started).toBeLessThan(9000)
  }, 15_000)
})
