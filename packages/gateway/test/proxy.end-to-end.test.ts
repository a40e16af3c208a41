import { request as httpRequest } from 'node:http'
import { Readable } from 'node:stream'
import { generateKeyPair, signJWT } from '@tessera/jose'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import WebSocket from 'ws'
import { parseRoutes } from '../src/index.js'
import {
  clientToken,
  registerClient,
  rotateKeys,
  startAuthority,
  type TestAuthority,
  type TestClient,
  tempDir,
} from './helpers/authority.js'
import { gatewaySettings, startGateway } from './helpers/gateway.js'
import { startUpstream, type TestUpstream } from './helpers/upstream.js'

// The exact RFC 6750 answers, spelled out once so every case below compares the whole header.
const REALM = 'Bearer realm="https://api.example/orders"'
const invalid = (description: string) => `${REALM}, error="invalid_token", error_description="${description}"`

const dir = tempDir()
let authority: TestAuthority
let upstream: TestUpstream
let gateway: Awaited<ReturnType<typeof startGateway>>
let reader: TestClient
let logLines: Record<string, unknown>[]

beforeAll(async () => {
  authority = await startAuthority(dir.path)
  upstream = await startUpstream()
  reader = await registerClient(authority.url, {
    scope: 'orders:read',
    resources: ['https://api.example/orders'],
  })
  logLines = []
  gateway = await startGateway(
    gatewaySettings({
      issuer: authority.issuer,
      upstream: upstream.url,
      typ: 'at+jwt',
      logLevel: 'info',
      routes: parseRoutes({
        routes: [
          { methods: ['GET'], prefix: '/orders', scopes: ['orders:read'] },
          { methods: ['POST', 'PUT'], prefix: '/orders', scopes: ['orders:write'] },
          { prefix: '/health', public: true },
        ],
      }),
    }),
    { logStream: { write: (line: string) => logLines.push(JSON.parse(line)) } },
  )
})

afterAll(async () => {
  await gateway?.close()
  await upstream?.close()
  await authority?.close()
  dir.remove()
})

/** node:http, not fetch: fetch normalises dot segments and drops Connection, which these tests need. */
function raw(
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(gateway.url)
    const request = httpRequest({ hostname, port, path, headers }, (response) => {
      let body = ''
      response.on('data', (chunk: Buffer) => {
        body += chunk.toString()
      })
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body, headers: response.headers }))
    })
    request.on('error', reject)
    request.end()
  })
}

function call(path: string, headers: Record<string, string> = {}, init: RequestInit = {}) {
  return fetch(`${gateway.url}${path}`, { ...init, headers })
}

describe('a good token', () => {
  test('is forwarded with the identity headers and the Authorization header', async () => {
    const token = await clientToken(authority.url, reader)
    const response = await call('/orders/7?x=1', { authorization: `Bearer ${token}` })
    expect(response.status).toBe(200)
    const seen = (await response.json()) as { path: string; headers: Record<string, string> }
    expect(seen.path).toBe('/orders/7')
    expect(seen.headers['x-tessera-subject']).toBe(reader.client_id)
    expect(seen.headers['x-tessera-client-id']).toBe(reader.client_id)
    expect(seen.headers['x-tessera-scope']).toBe('orders:read')
    expect(seen.headers['x-tessera-claims']).toBeUndefined()
    expect(seen.headers.authorization).toBe(`Bearer ${token}`)
  })

  test('hop-by-hop headers go no further, either way', async () => {
    const token = await clientToken(authority.url, reader)
    const response = await raw('/orders', {
      authorization: `Bearer ${token}`,
      connection: 'keep-alive, x-client-hop',
      'x-client-hop': 'secret',
      te: 'trailers',
    })
    expect(response.status).toBe(200)
    const seen = JSON.parse(response.body) as { headers: Record<string, string> }
    expect(seen.headers['x-client-hop']).toBeUndefined()
    expect(seen.headers.te).toBeUndefined()
    expect(response.headers['x-upstream-hop']).toBeUndefined()
  })
})

describe('refusals carry the exact RFC 6750 status and WWW-Authenticate', () => {
  test('no token: 401 with the realm and no error code', async () => {
    const response = await call('/orders')
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe(REALM)
    expect(await response.text()).toBe('')
  })

  test('another scheme counts as no token', async () => {
    const response = await call('/orders', { authorization: 'Basic dXNlcjpwYXNz' })
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe(REALM)
  })

  test('a malformed Authorization header: 400 invalid_request', async () => {
    const response = await call('/orders', { authorization: 'Bearer two tokens' })
    expect(response.status).toBe(400)
    expect(response.headers.get('www-authenticate')).toBe(
      `${REALM}, error="invalid_request", error_description="the Authorization header is not a single Bearer token"`,
    )
    expect(await response.json()).toEqual({
      error: 'invalid_request',
      error_description: 'the Authorization header is not a single Bearer token',
    })
  })

  test('expired (signed by the authority 20 minutes ago)', async () => {
    const past = await startAuthority(dir.path, { issuer: authority.issuer, clockOffsetMs: -20 * 60_000 })
    const token = await clientToken(past.url, reader).finally(() => past.close())
    const response = await call('/orders', { authorization: `Bearer ${token}` })
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe(invalid('the token has expired'))
  })

  test('wrong audience', async () => {
    const other = await registerClient(authority.url, {
      scope: 'orders:read',
      resources: ['https://api.example/billing'],
    })
    const token = await clientToken(authority.url, other)
    const response = await call('/orders', { authorization: `Bearer ${token}` })
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe(invalid('the token is for another audience'))
  })

  test('wrong issuer (same keys, another issuer name)', async () => {
    const impostor = await startAuthority(dir.path, { issuer: 'http://127.0.0.1:9/other-issuer' })
    const token = await clientToken(impostor.url, reader).finally(() => impostor.close())
    const response = await call('/orders', { authorization: `Bearer ${token}` })
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe(invalid('the token is from another issuer'))
  })

  test('alg none', async () => {
    const good = await clientToken(authority.url, reader)
    const [, payload] = good.split('.')
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt' })).toString('base64url')
    for (const token of [`${header}.${payload}.`, `${header}.${payload}.${good.split('.')[2]}`]) {
      const response = await call('/orders', { authorization: `Bearer ${token}` })
      expect(response.status).toBe(401)
      expect(response.headers.get('www-authenticate')).toBe(invalid('unsigned tokens are not accepted'))
    }
  })

  test('wrongly signed (the claims and kid of a real token, another key)', async () => {
    const good = await clientToken(authority.url, reader)
    const header = JSON.parse(Buffer.from(good.split('.')[0] ?? '', 'base64url').toString())
    const claims = JSON.parse(Buffer.from(good.split('.')[1] ?? '', 'base64url').toString())
    const { privateKey } = await generateKeyPair('ES256')
    const forged = await signJWT(claims, privateKey, { alg: 'ES256', kid: header.kid, typ: 'at+jwt' })
    const response = await call('/orders', { authorization: `Bearer ${forged}` })
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe(invalid('the token signature is invalid'))
  })

  test('insufficient scope: 403 naming the scope the route needs', async () => {
    const token = await clientToken(authority.url, reader)
    const response = await call(
      '/orders',
      { authorization: `Bearer ${token}` },
      { method: 'POST', body: '{}' },
    )
    expect(response.status).toBe(403)
    expect(response.headers.get('www-authenticate')).toBe(
      `${REALM}, error="insufficient_scope", error_description="the token lacks a scope this request needs", scope="orders:write"`,
    )
    expect(await response.json()).toEqual({
      error: 'insufficient_scope',
      error_description: 'the token lacks a scope this request needs',
      scope: 'orders:write',
    })
  })

  test('each refusal is one log line with its reason and nothing of the token', async () => {
    const token = await clientToken(authority.url, reader)
    const [, payload, signature] = token.split('.')
    const before = logLines.length
    await call('/orders', { authorization: `Bearer ${token}x` })
    const lines = logLines.slice(before)
    const refusals = lines.filter((line) => line.msg === 'request refused')
    expect(refusals).toHaveLength(1)
    expect(refusals[0]).toMatchObject({
      reason: 'malformed_token',
      status: 401,
      method: 'GET',
      path: '/orders',
    })
    const text = JSON.stringify(lines)
    expect(text).not.toContain(payload)
    expect(text).not.toContain(signature)
  })
})

describe('identity headers cannot be forged', () => {
  test('incoming X-Tessera-* headers are replaced by the verified identity', async () => {
    const token = await clientToken(authority.url, reader)
    const response = await call('/orders', {
      authorization: `Bearer ${token}`,
      'X-Tessera-Subject': 'admin',
      'x-tessera-scope': 'orders:write admin',
      'X-TESSERA-CLAIMS': Buffer.from('{"sub":"admin"}').toString('base64url'),
      'x-tessera-anything': 'else',
    })
    const seen = (await response.json()) as { headers: Record<string, string> }
    expect(seen.headers['x-tessera-subject']).toBe(reader.client_id)
    expect(seen.headers['x-tessera-scope']).toBe('orders:read')
    expect(seen.headers['x-tessera-claims']).toBeUndefined()
    expect(seen.headers['x-tessera-anything']).toBeUndefined()
  })

  test('on a public path they are stripped and none are added', async () => {
    const response = await call('/health', { 'x-tessera-subject': 'admin', 'x-tessera-client-id': 'root' })
    expect(response.status).toBe(200)
    const seen = (await response.json()) as { headers: Record<string, string> }
    expect(Object.keys(seen.headers).filter((name) => name.startsWith('x-tessera-'))).toEqual([])
  })

  test('a dot-segment path cannot reach a protected path through a public prefix', async () => {
    for (const path of ['/health/%2e%2e/orders', '/health/../orders', '/health/..%2forders', '/health//x']) {
      const response = await raw(path, {})
      expect(response.status).toBe(400)
      expect(JSON.parse(response.body).error).toBe('invalid_request')
    }
    expect(upstream.seen.some((seen) => seen.url.includes('%2e'))).toBe(false)
  })
})

describe('bodies stream through', () => {
  const TEN_MIB = 10 * 1024 * 1024

  test('a 10 MiB upload reaches the upstream whole', async () => {
    let sent = 0
    const chunk = Buffer.alloc(256 * 1024, 0x62)
    const body = new Readable({
      read() {
        if (sent >= TEN_MIB) {
          this.push(null)
          return
        }
        sent += chunk.length
        this.push(chunk)
      },
    })
    const writer = await registerClient(authority.url, {
      scope: 'orders:write',
      resources: ['https://api.example/orders'],
    })
    const writeToken = await clientToken(authority.url, writer)
    const response = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = httpRequest(
        `${gateway.url}/orders/upload`,
        {
          method: 'PUT',
          headers: { authorization: `Bearer ${writeToken}`, 'content-type': 'application/octet-stream' },
        },
        (res) => {
          let text = ''
          res.on('data', (data: Buffer) => {
            text += data.toString()
          })
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }))
        },
      )
      request.on('error', reject)
      body.pipe(request)
    })
    expect(response.status).toBe(200)
    expect(JSON.parse(response.body).bodyBytes).toBe(TEN_MIB)
  })

  test('a 10 MiB download reaches the client whole', async () => {
    const token = await clientToken(authority.url, reader)
    const response = await call(`/orders/download/${TEN_MIB}`, { authorization: `Bearer ${token}` })
    expect(response.status).toBe(200)
    let total = 0
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) total += chunk.length
    expect(total).toBe(TEN_MIB)
  })
})

describe('WebSocket upgrades', () => {
  const open = (headers: Record<string, string>) =>
    new Promise<{ greeting: string; echo: string } | { status: number }>((resolve, reject) => {
      const socket = new WebSocket(`${gateway.url.replace('http', 'ws')}/orders/ws`, { headers })
      const messages: string[] = []
      socket.on('message', (data) => {
        messages.push(data.toString())
        if (messages.length === 1) socket.send('hello')
        else {
          socket.close()
          resolve({ greeting: messages[0] ?? '', echo: messages[1] ?? '' })
        }
      })
      socket.on('unexpected-response', (_request, response) => {
        resolve({ status: response.statusCode ?? 0 })
        socket.terminate()
      })
      socket.on('error', reject)
    })

  test('pass through with a good token, with the identity', async () => {
    const token = await clientToken(authority.url, reader)
    const result = await open({ authorization: `Bearer ${token}` })
    expect(result).toEqual({ greeting: JSON.stringify({ subject: reader.client_id }), echo: 'echo:hello' })
  })

  test('are refused without one', async () => {
    expect(await open({})).toEqual({ status: 401 })
  })
})

describe('upstream failures', () => {
  test('a slow upstream is 504 with a JSON body', async () => {
    const token = await clientToken(authority.url, reader)
    const response = await call('/orders/slow', { authorization: `Bearer ${token}` })
    expect(response.status).toBe(504)
    expect(await response.json()).toEqual({
      error: 'upstream_timeout',
      error_description: 'the upstream did not answer in time',
    })
  })

  test('an unreachable upstream is 502 with a JSON body', async () => {
    const down = await startGateway(
      gatewaySettings({ issuer: authority.issuer, upstream: 'http://127.0.0.1:9' }),
    )
    try {
      const token = await clientToken(authority.url, reader)
      const response = await fetch(`${down.url}/orders`, { headers: { authorization: `Bearer ${token}` } })
      expect(response.status).toBe(502)
      expect(await response.json()).toEqual({
        error: 'bad_gateway',
        error_description: 'the upstream could not be reached',
      })
    } finally {
      await down.close()
    }
  })
})

describe('keys', () => {
  test('a rotated key is picked up (unknown kid → refetch)', async () => {
    await rotateKeys(authority.url)
    await rotateKeys(authority.url)
    const token = await clientToken(authority.url, reader)
    const response = await call('/orders', { authorization: `Bearer ${token}` })
    expect(response.status).toBe(200)
    const metrics = await (await fetch(gateway.metricsUrl ?? '')).text()
    expect(metrics).toMatch(/tessera_gateway_jwks_unknown_kid_total [1-9]/)
    expect(metrics).toMatch(/tessera_gateway_jwks_fetches_total\{result="success"\} [2-9]/)
  })

  test('the authority going down changes nothing while the cached keys last', async () => {
    const cachedToken = await clientToken(authority.url, reader)
    expect((await call('/orders', { authorization: `Bearer ${cachedToken}` })).status).toBe(200)
    const freshToken = await clientToken(authority.url, reader)
    await authority.close()
    expect((await fetch(`${authority.url}/.well-known/jwks.json`).catch(() => 'down')) === 'down').toBe(true)
    expect((await call('/orders', { authorization: `Bearer ${cachedToken}` })).status).toBe(200)
    // Never seen before: verified against the cached key set, with the issuer unreachable.
    expect((await call('/orders', { authorization: `Bearer ${freshToken}` })).status).toBe(200)
  })
})

describe('metrics', () => {
  test('count requests by bounded outcome and reason, with latency and skew histograms', async () => {
    const text = await (await fetch(gateway.metricsUrl ?? '')).text()
    expect(text).toMatch(/tessera_gateway_requests_total\{outcome="allowed",reason="none"\} [1-9]/)
    expect(text).toMatch(/tessera_gateway_requests_total\{outcome="refused",reason="missing_token"\} [1-9]/)
    expect(text).toMatch(/tessera_gateway_requests_total\{outcome="refused",reason="expired"\} [1-9]/)
    expect(text).toMatch(/tessera_gateway_verifications_total\{cache="hit"\} [1-9]/)
    expect(text).toMatch(/tessera_gateway_verifications_total\{cache="miss"\} [1-9]/)
    expect(text).toMatch(/tessera_gateway_verification_duration_seconds_count [1-9]/)
    expect(text).toMatch(/tessera_gateway_clock_skew_seconds_count [1-9]/)
    expect(text).toMatch(/tessera_gateway_upstream_errors_total\{kind="timeout"\} 1/)
    // Nothing unbounded ever becomes a label.
    expect(text).not.toContain(reader.client_id)
    expect(text).not.toMatch(/jti|sub=/)
  })
})
