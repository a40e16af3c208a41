import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildCli, STACK_FRAME, tessera } from './helpers/cli.js'

// `tessera jwks fetch` against a real HTTP server on loopback, one route per kind of publication.
type Route = { status?: number; headers?: Record<string, string>; body: string }
const routes = new Map<string, Route>()
let server: Server
let base: string
let good: { kid: string; thumbprint: string }

beforeAll(async () => {
  buildCli()
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true })
  const publicJwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' }
  good = { kid: 'k1', thumbprint: await calculateJwkThumbprint(publicJwk) }
  const json = { 'content-type': 'application/json' }
  routes.set('/good', {
    headers: { ...json, 'cache-control': 'public, max-age=300', etag: '"v1"' },
    body: JSON.stringify({ keys: [publicJwk] }),
  })
  routes.set('/leaky', {
    headers: json,
    body: JSON.stringify({
      keys: [
        { ...(await exportJWK(privateKey)), kid: 'k1' },
        { ...publicJwk },
        { kty: 'oct', k: 'c2VjcmV0', kid: 's' },
      ],
    }),
  })
  routes.set('/html', {
    headers: { 'content-type': 'text/html', 'cache-control': 'max-age=60' },
    body: JSON.stringify({ keys: [publicJwk] }),
  })
  routes.set('/moved', { status: 302, headers: { location: '/good' }, body: '' })
  routes.set('/huge', { headers: json, body: JSON.stringify({ keys: [], pad: 'x'.repeat(600 * 1024) }) })
  server = createServer((request, response) => {
    const route = routes.get(request.url ?? '')
    if (!route) return void response.writeHead(404, json).end('{"error":"not found"}')
    response.writeHead(route.status ?? 200, route.headers).end(route.body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}, 120_000)
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

describe.concurrent('tessera jwks fetch', () => {
  it('lists the keys with their thumbprints and the cache headers; a good set exits 0', async () => {
    const run = await tessera(['jwks', 'fetch', `${base}/good`])
    expect(run.code).toBe(0)
    expect(run.stdout).toContain(`GET ${base}/good → 200`)
    expect(run.stdout).toContain('  cache-control: public, max-age=300')
    expect(run.stdout).toContain('  etag: "v1"')
    expect(run.stdout).toMatch(new RegExp(`k1\\s+EC\\s+P-256\\s+ES256\\s+sig\\s+${good.thumbprint}`))
    // http is only acceptable because this is loopback, and the report says so.
    expect(run.stdout).toContain('warning not-https:')
    const json = JSON.parse((await tessera(['jwks', 'fetch', `${base}/good`, '--json'])).stdout)
    expect(json).toMatchObject({
      ok: true,
      status: 200,
      headers: { 'cache-control': 'public, max-age=300', etag: '"v1"' },
    })
    expect(json.keys).toEqual([
      expect.objectContaining({ kid: 'k1', thumbprint: good.thumbprint, usable: true }),
    ])
  })

  it('says what is wrong with a set that leaks private and secret keys and repeats a kid (exit 1)', async () => {
    const run = await tessera(['jwks', 'fetch', `${base}/leaky`, '--json'])
    expect(run.code).toBe(1)
    const codes = JSON.parse(run.stdout).problems.map((problem: { code: string }) => problem.code)
    expect(codes).toEqual(
      expect.arrayContaining(['private-key', 'secret-key', 'duplicate-kid', 'no-max-age']),
    )
    expect(run.stderr).toBe('tessera: the key set has 3 errors\n')
  })

  it('refuses what verifiers refuse: a wrong content type, a redirect, an oversized body', async () => {
    const html = await tessera(['jwks', 'fetch', `${base}/html`, '--json'])
    expect(html.code).toBe(1)
    expect(JSON.parse(html.stdout).problems[0]).toMatchObject({ severity: 'error', code: 'content-type' })
    const moved = await tessera(['jwks', 'fetch', `${base}/moved`, '--json'])
    expect(moved.code).toBe(1)
    expect(JSON.parse(moved.stdout).problems.map((problem: { code: string }) => problem.code)).toContain(
      'redirect',
    )
    const huge = await tessera(['jwks', 'fetch', `${base}/huge`])
    expect(huge).toMatchObject({
      code: 1,
      stderr: `tessera: ${base}/huge: the response is larger than 524288 bytes\n`,
    })
  })

  it('an unreachable URL exits 3 with one line; plain http off loopback is a usage error', async () => {
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const port = (closed.address() as AddressInfo).port
    await new Promise<void>((resolve) => closed.close(() => resolve()))
    const run = await tessera(['jwks', 'fetch', `http://127.0.0.1:${port}/jwks.json`])
    expect(run).toMatchObject({
      code: 3,
      stdout: '',
      stderr: `tessera: cannot reach http://127.0.0.1:${port}: ECONNREFUSED\n`,
    })
    const http = await tessera(['jwks', 'fetch', 'http://auth.example/jwks.json'])
    expect(http).toMatchObject({
      code: 2,
      stderr: 'tessera: url: must be an https URL (http only for localhost): http://auth.example/jwks.json\n',
    })
    expect(http.stderr).not.toMatch(STACK_FRAME)
    const verify = await tessera([
      'jwt',
      'verify',
      'eyJhbGciOiJFUzI1NiJ9.e30.AAAA',
      '--jwks',
      `http://127.0.0.1:${port}/jwks.json`,
      '--alg',
      'ES256',
    ])
    expect(verify.code).toBe(3)
    expect(verify.stderr).toMatch(
      new RegExp(
        `^tessera: cannot fetch the JWK set http://127.0.0.1:${port}/jwks.json: ERR_JWKS_\\w+: .+\\n$`,
      ),
    )
  })

  it('jwt verify --jwks URL verifies against the fetched set', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256')
    const jwk = { ...(await exportJWK(publicKey)), kid: 'rotating', alg: 'ES256' }
    routes.set('/verify', {
      headers: { 'content-type': 'application/json', 'cache-control': 'max-age=60' },
      body: JSON.stringify({ keys: [jwk] }),
    })
    const { SignJWT } = await import('jose')
    const token = await new SignJWT({ sub: 'u-9' })
      .setProtectedHeader({ alg: 'ES256', kid: 'rotating' })
      .setExpirationTime('5m')
      .sign(privateKey)
    const run = await tessera([
      'jwt',
      'verify',
      token,
      '--jwks',
      `${base}/verify`,
      '--alg',
      'ES256',
      '--json',
    ])
    expect(run.code).toBe(0)
    expect(JSON.parse(run.stdout).payload.sub).toBe('u-9')
  })
})
