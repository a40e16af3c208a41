import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  ADMIN_TOKEN,
  basic,
  type RunningAuthority,
  registerClient,
  requestToken,
  startAuthority,
  tempDir,
} from './helpers/authority.js'

const FORM = 'application/x-www-form-urlencoded'

describe('OAuth endpoints over HTTP', () => {
  const dir = tempDir()
  let server: RunningAuthority
  let client: { client_id: string; client_secret: string }

  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': FORM, ...headers }, body })

  beforeAll(async () => {
    server = await startAuthority({
      dataDir: dir.path,
      rateLimitPerClient: 50,
      bodyLimit: 4096,
    })
    client = await registerClient(server.url, { resources: ['https://api.example', 'https://other.example'] })
  })
  afterAll(async () => {
    await server?.close()
    dir.remove()
  })

  it('publishes RFC 8414 metadata, which the OpenID discovery document extends', async () => {
    const a = (await (await fetch(`${server.url}/.well-known/oauth-authorization-server`)).json()) as object
    const b = await (await fetch(`${server.url}/.well-known/openid-configuration`)).json()
    expect(b).toMatchObject(a)
    expect(a).toMatchObject({
      issuer: server.url,
      authorization_endpoint: `${server.url}/oauth/authorize`,
      token_endpoint: `${server.url}/oauth/token`,
      jwks_uri: `${server.url}/.well-known/jwks.json`,
      registration_endpoint: `${server.url}/oauth/register`,
      introspection_endpoint: `${server.url}/oauth/introspect`,
      revocation_endpoint: `${server.url}/oauth/revoke`,
      grant_types_supported: [
        'client_credentials',
        'urn:ietf:params:oauth:grant-type:jwt-bearer',
        'authorization_code',
        'refresh_token',
      ],
      response_types_supported: ['code'],
      code_challenge_methods_supported: ['S256'],
      authorization_response_iss_parameter_supported: true,
    })
  })

  it('uses the resource as audience and refuses unregistered resources and scopes', async () => {
    const ok = await requestToken(server.url, client, { resource: 'https://other.example' })
    const payload = JSON.parse(
      Buffer.from((ok.body.access_token as string).split('.')[1] as string, 'base64url').toString(),
    )
    expect(payload.aud).toBe('https://other.example')
    expect(payload.scope).toBe('read write')
    expect((await requestToken(server.url, client, { resource: 'https://evil.example' })).body.error).toBe(
      'invalid_target',
    )
    expect((await requestToken(server.url, client, { resource: 'not a uri' })).body.error).toBe(
      'invalid_target',
    )
    const scoped = await requestToken(server.url, client, { scope: 'admin' })
    expect([scoped.status, scoped.body.error]).toEqual([400, 'invalid_scope'])
  })

  it('authenticates client_secret_post and refuses a wrong secret with 401 invalid_client', async () => {
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: client.client_id,
      client_secret: client.client_secret,
    })
    // Registered for client_secret_basic: the same secret sent another way does not authenticate.
    expect((await post('/oauth/token', body.toString())).status).toBe(401)
    const post2 = await registerClient(server.url, { token_endpoint_auth_method: 'client_secret_post' })
    const good = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: post2.client_id,
      client_secret: post2.client_secret,
    })
    expect((await post('/oauth/token', good.toString())).status).toBe(200)
    const wrong = await requestToken(server.url, { ...client, client_secret: 'x'.repeat(43) })
    expect(wrong.status).toBe(401)
    expect(wrong.body.error).toBe('invalid_client')
    expect(wrong.headers.get('www-authenticate')).toMatch(/^Basic/)
  })

  it('introspects active tokens, and revocation makes them inactive', async () => {
    const { body } = await requestToken(server.url, client)
    const token = body.access_token as string
    const auth = { authorization: basic(client.client_id, client.client_secret) }
    const introspect = async (value: string) =>
      (await (
        await post('/oauth/introspect', new URLSearchParams({ token: value }).toString(), auth)
      ).json()) as Record<string, unknown>
    expect(await introspect(token)).toMatchObject({
      active: true,
      client_id: client.client_id,
      token_type: 'Bearer',
    })
    expect(await introspect('garbage')).toEqual({ active: false })
    expect(await introspect(`${token.slice(0, -4)}AAAA`)).toEqual({ active: false })

    const other = await registerClient(server.url)
    const foreign = await post('/oauth/revoke', new URLSearchParams({ token }).toString(), {
      authorization: basic(other.client_id, other.client_secret),
    })
    expect(foreign.status).toBe(400)
    expect((await post('/oauth/revoke', new URLSearchParams({ token }).toString(), auth)).status).toBe(200)
    expect(
      (await post('/oauth/revoke', new URLSearchParams({ token: 'garbage' }).toString(), auth)).status,
    ).toBe(200)
    expect(await introspect(token)).toEqual({ active: false })
    expect((await post('/oauth/introspect', new URLSearchParams({ token }).toString())).status).toBe(401)
  })

  it('answers malformed input with RFC 6749 §5.2 bodies and 4xx, never 500', async () => {
    const auth = { authorization: basic(client.client_id, client.client_secret) }
    const cases: [string, RequestInit, number, string][] = [
      [
        'unknown grant',
        { body: 'grant_type=password', headers: { 'content-type': FORM, ...auth } },
        400,
        'unsupported_grant_type',
      ],
      ['no grant', { body: '', headers: { 'content-type': FORM, ...auth } }, 400, 'invalid_request'],
      [
        'repeated',
        { body: 'grant_type=client_credentials&grant_type=x', headers: { 'content-type': FORM, ...auth } },
        400,
        'invalid_request',
      ],
      [
        'json body',
        {
          body: '{"grant_type":"client_credentials"}',
          headers: { 'content-type': 'application/json', ...auth },
        },
        400,
        'invalid_request',
      ],
      [
        'bad json',
        { body: '{"grant', headers: { 'content-type': 'application/json', ...auth } },
        400,
        'invalid_request',
      ],
      [
        'text body',
        { body: 'hello', headers: { 'content-type': 'text/plain', ...auth } },
        400,
        'invalid_request',
      ],
      [
        'odd type',
        { body: 'x', headers: { 'content-type': 'application/xml', ...auth } },
        415,
        'invalid_request',
      ],
      [
        'oversized',
        {
          body: `grant_type=client_credentials&x=${'a'.repeat(10_000)}`,
          headers: { 'content-type': FORM, ...auth },
        },
        413,
        'invalid_request',
      ],
      [
        'bad basic',
        {
          body: 'grant_type=client_credentials',
          headers: { 'content-type': FORM, authorization: 'Basic !!!' },
        },
        401,
        'invalid_client',
      ],
      [
        'no auth',
        { body: 'grant_type=client_credentials', headers: { 'content-type': FORM } },
        401,
        'invalid_client',
      ],
      [
        'two methods',
        {
          body: `grant_type=client_credentials&client_secret=x&client_id=${client.client_id}`,
          headers: { 'content-type': FORM, ...auth },
        },
        400,
        'invalid_request',
      ],
      [
        'bad percent',
        { body: 'grant_type=%E0%A4%A', headers: { 'content-type': FORM, ...auth } },
        400,
        'unsupported_grant_type',
      ],
      [
        'proto',
        { body: '{"__proto__":{"x":1}}', headers: { 'content-type': 'application/json', ...auth } },
        400,
        'invalid_request',
      ],
    ]
    for (const [name, init, status, error] of cases) {
      const response = await fetch(`${server.url}/oauth/token`, { method: 'POST', ...init })
      const body = (await response.json()) as Record<string, unknown>
      expect([name, response.status, body.error]).toEqual([name, status, error])
      expect(typeof body.error_description).toBe('string')
    }
    const missing = await fetch(`${server.url}/nope`)
    expect(missing.status).toBe(404)
  })

  it('guards registration and the admin API with the admin token', async () => {
    const register = (headers: Record<string, string>, body: string) =>
      fetch(`${server.url}/oauth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      })
    expect((await register({}, '{}')).status).toBe(401)
    expect((await register({ authorization: 'Bearer wrong' }, '{}')).status).toBe(401)
    const admin = { authorization: `Bearer ${ADMIN_TOKEN}` }
    const bad = await register(admin, '{"token_endpoint_auth_method":"none"}')
    expect([bad.status, ((await bad.json()) as { error: string }).error]).toEqual([
      400,
      'invalid_client_metadata',
    ])
    expect((await register(admin, '{"jwks_uri":"https://x.example/jwks"}')).status).toBe(400)
    expect((await register(admin, '[1]')).status).toBe(400)

    expect((await fetch(`${server.url}/admin/keys`)).status).toBe(401)
    const keys = (await (await fetch(`${server.url}/admin/keys`, { headers: admin })).json()) as {
      keys: { state: string }[]
    }
    expect(keys.keys.map((key) => key.state)).toContain('current')
    const clients = (await (await fetch(`${server.url}/admin/clients`, { headers: admin })).json()) as {
      clients: { client_id: string; client_secret?: string }[]
    }
    expect(clients.clients.some((c) => c.client_id === client.client_id)).toBe(true)
    expect(JSON.stringify(clients)).not.toContain('secret_hash')
    const victim = await registerClient(server.url)
    const disabled = await fetch(`${server.url}/admin/clients/${victim.client_id}/disable`, {
      method: 'POST',
      headers: admin,
    })
    expect(disabled.status).toBe(200)
    expect((await requestToken(server.url, victim)).status).toBe(401)
    expect(
      (await fetch(`${server.url}/admin/clients/nope/disable`, { method: 'POST', headers: admin })).status,
    ).toBe(404)
    const audit = (await (await fetch(`${server.url}/admin/audit`, { headers: admin })).json()) as {
      events: { event: string }[]
    }
    const events = new Set(audit.events.map((e) => e.event))
    for (const event of ['token.issued', 'token.revoked', 'client.disabled', 'client.registered'])
      expect(events).toContain(event)
  })
})

describe('per-client rate limit', () => {
  it('rate-limits the token endpoint per client with 429 and Retry-After', async () => {
    // A small limit of its own, so a loaded machine that answers slowly still exceeds it.
    const dir = tempDir()
    const server = await startAuthority({ dataDir: dir.path, rateLimitPerClient: 5, rateLimitPerAddress: 0 })
    try {
      const limited = await registerClient(server.url)
      const results = await Promise.all(Array.from({ length: 20 }, () => requestToken(server.url, limited)))
      const refused = results.filter((r) => r.status === 429)
      expect(refused.length).toBeGreaterThanOrEqual(10)
      expect(Number(refused[0]?.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
      expect(refused[0]?.body.error).toBe('slow_down')
    } finally {
      await server.close()
      dir.remove()
    }
  })
})

describe('per-address rate limit', () => {
  it('refuses a flood from one address before authenticating it', async () => {
    const dir = tempDir()
    const server = await startAuthority({ dataDir: dir.path, rateLimitPerAddress: 5, rateLimitPerClient: 0 })
    try {
      const client = await registerClient(server.url)
      const results = await Promise.all(Array.from({ length: 20 }, () => requestToken(server.url, client)))
      const statuses = results.map((result) => result.status)
      expect(statuses.filter((status) => status === 200).length).toBeLessThanOrEqual(6)
      expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(14)
      // Unauthenticated floods are limited too: the limit comes before client authentication.
      const anonymous = await requestToken(server.url, { client_id: 'nobody', client_secret: 'x' })
      expect(anonymous.status).toBe(429)
    } finally {
      await server.close()
      dir.remove()
    }
  })
})
