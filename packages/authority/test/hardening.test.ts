import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  basic,
  type RunningAuthority,
  registerClient,
  requestToken,
  startAuthority,
  tempDir,
} from './helpers/authority.js'
import {
  admin,
  assertion,
  type Credentials,
  type DeviceKey,
  deviceKey,
  JWT_BEARER,
  login,
  registerDevice,
  registerFleetClient,
} from './helpers/devices.js'
import { postForm } from './helpers/http.js'

const CLIENT_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'

/** A device login from a given loopback address, as a separate machine would send it. */
function loginFrom(url: string, client: Credentials, jwt: string, localAddress: string, resource?: string) {
  return postForm(
    url,
    '/oauth/token',
    { grant_type: JWT_BEARER, assertion: jwt, ...(resource ? { resource } : {}) },
    { authorization: basic(client.client_id, client.client_secret), localAddress },
  )
}

function refreshFrom(url: string, client: Credentials, token: string, localAddress: string) {
  return postForm(
    url,
    '/oauth/token',
    { grant_type: 'refresh_token', refresh_token: token },
    { authorization: basic(client.client_id, client.client_secret), localAddress },
  )
}

/** Issue 11, items 1, 2, 5, 6, 7 and 11: each reproduced over real HTTP as an attacker on loopback. */
describe('hardening: what an attacker on 127.0.0.1 tried', () => {
  const dir = tempDir()
  let server: RunningAuthority
  let fleetA: Credentials
  let fleetB: Credentials
  let key: DeviceKey
  let stranger: DeviceKey

  beforeAll(async () => {
    server = await startAuthority({ dataDir: dir.path, deviceFailureLimit: 5 })
    fleetA = await registerFleetClient(server.url)
    fleetB = await registerFleetClient(server.url)
    key = await deviceKey()
    stranger = await deviceKey()
    await registerDevice(server.url, key, { id: 'dev-lock' })
  })
  afterAll(async () => {
    await server?.close()
    dir.remove()
  })

  it('item 1: garbage-signed assertions from another fleet never lock the device or its refresh out', async () => {
    const first = await loginFrom(
      server.url,
      fleetA,
      await assertion(key, 'dev-lock', server.url),
      '127.0.0.1',
    )
    expect(first.status).toBe(200)
    const statuses: number[] = []
    for (let i = 0; i < 8; i++) {
      const forged = await assertion(stranger, 'dev-lock', server.url)
      const answer = await loginFrom(server.url, fleetB, forged, '127.0.0.2')
      statuses.push(answer.status)
      expect(answer.body.error).toBe(answer.status === 429 ? 'slow_down' : 'invalid_grant')
    }
    // The attacker's own address runs out; the device does not.
    expect(statuses).toEqual([400, 400, 400, 400, 400, 429, 429, 429])
    const real = await loginFrom(
      server.url,
      fleetA,
      await assertion(key, 'dev-lock', server.url),
      '127.0.0.1',
    )
    expect(real.status).toBe(200)
    // A valid, unconsumed refresh token is never refused, not even from the exhausted address.
    const refreshed = await refreshFrom(server.url, fleetA, first.body.refresh_token, '127.0.0.2')
    expect(refreshed.status).toBe(200)
    expect(typeof refreshed.body.access_token).toBe('string')
  })

  it("item 1: a device's own verified failures are limited per (device, client), whatever the address", async () => {
    const jwt = await assertion(key, 'dev-lock', server.url)
    expect((await loginFrom(server.url, fleetA, jwt, '127.0.0.3')).status).toBe(200)
    const replays: number[] = []
    for (let i = 0; i < 6; i++) {
      replays.push((await loginFrom(server.url, fleetA, jwt, `127.0.1.${i + 1}`)).status)
    }
    expect(replays).toEqual([400, 400, 400, 400, 400, 429])
    // Another client's budget for the same device is its own.
    const other = await loginFrom(
      server.url,
      fleetB,
      await assertion(key, 'dev-lock', server.url),
      '127.0.2.1',
    )
    expect(other.status).toBe(200)
  })

  it('item 2: a client without registered resources gets only the default audience', async () => {
    const plain = await registerClient(server.url)
    const evil = await requestToken(server.url, plain, { resource: 'https://api.other.example' })
    expect(evil.status).toBe(400)
    expect(evil.body.error).toBe('invalid_target')
    const own = await requestToken(server.url, plain, { resource: server.url })
    expect(own.status).toBe(200)
    const aud = JSON.parse(
      Buffer.from(String(own.body.access_token).split('.')[1] as string, 'base64url').toString(),
    ).aud
    expect(aud).toBe(server.url)
    const device = await loginFrom(
      server.url,
      fleetB,
      await assertion(key, 'dev-lock', server.url),
      '127.0.3.1',
      'https://api.other.example',
    )
    expect(device.status).toBe(400)
    expect(device.body.error).toBe('invalid_target')
  })

  it('item 5: client authentication says the same for unknown, disabled and wrong-method clients', async () => {
    const secretClient = await registerClient(server.url)
    const rsa = await generateKeyPair('ES256')
    const jwk = { ...(await exportJWK(rsa.publicKey)), kid: 'k1' }
    const keyClient = await registerClient(server.url, {
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [jwk] },
    })
    const disabledClient = await registerClient(server.url, {
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [jwk] },
    })
    expect((await admin(server.url, 'POST', `/clients/${disabledClient.client_id}/disable`)).status).toBe(200)
    const unsigned = (iss: string) =>
      `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(
        JSON.stringify({ iss, sub: iss, aud: server.url, exp: Math.floor(Date.now() / 1000) + 60, jti: 'x' }),
      ).toString('base64url')}.`
    const wrongKey = (await generateKeyPair('ES256')).privateKey
    const forged = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setIssuer(keyClient.client_id)
      .setSubject(keyClient.client_id)
      .setAudience(server.url)
      .setExpirationTime('1m')
      .setJti('forged')
      .sign(wrongKey)
    const answers = await Promise.all(
      [
        unsigned(secretClient.client_id),
        unsigned(disabledClient.client_id),
        unsigned(keyClient.client_id),
        unsigned('no-such-client'),
        forged,
      ].map((clientAssertion) =>
        postForm(server.url, '/oauth/token', {
          grant_type: 'client_credentials',
          client_assertion_type: CLIENT_ASSERTION,
          client_assertion: clientAssertion,
        }),
      ),
    )
    for (const answer of answers) {
      expect(answer.status).toBe(401)
      expect(answer.body).toEqual({
        error: 'invalid_client',
        error_description: 'client authentication failed',
      })
    }
  })

  it('item 5: device login and refresh say the same for unknown, disabled and foreign', async () => {
    const disabledKey = await deviceKey()
    await registerDevice(server.url, disabledKey, { id: 'dev-off' })
    expect((await admin(server.url, 'PATCH', '/devices/dev-off', { status: 'disabled' })).status).toBe(200)
    const answers = [
      await login(server.url, fleetB, await assertion(stranger, 'dev-lock', server.url)),
      await login(server.url, fleetB, await assertion(stranger, 'dev-nobody', server.url)),
      await login(server.url, fleetB, await assertion(disabledKey, 'dev-off', server.url)),
    ]
    const descriptions = answers.map((answer) => [
      answer.status,
      answer.body.error,
      answer.body.error_description,
    ])
    expect(new Set(descriptions.map((d) => JSON.stringify(d))).size).toBe(1)
    expect(descriptions[0]?.slice(0, 2)).toEqual([400, 'invalid_grant'])

    const own = await loginFrom(server.url, fleetB, await assertion(key, 'dev-lock', server.url), '127.0.4.1')
    expect(own.status).toBe(200)
    const foreign = await refreshFrom(server.url, fleetA, own.body.refresh_token, '127.0.4.2')
    const unknown = await refreshFrom(server.url, fleetA, 'A'.repeat(43), '127.0.4.3')
    expect(foreign.status).toBe(400)
    expect(foreign.body).toEqual(unknown.body)
    expect(foreign.body.error).toBe('invalid_grant')
  })

  it('item 7: registration keeps only the public members of a client key', async () => {
    const { privateKey } = await generateKeyPair('RS256', { extractable: true })
    const full = await exportJWK(privateKey)
    const { d: _d, p, q, dp, dq, qi, ...publicPart } = full
    const refused = await fetch(`${server.url}/oauth/register`, {
      method: 'POST',
      headers: { authorization: `Bearer ${process.env.NEVER ?? ''}`, 'content-type': 'application/json' },
      body: '{}',
    })
    expect(refused.status).toBe(401)
    const withPrimes = registerClient(server.url, {
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [{ ...publicPart, p, q, dp, dq, qi }] },
    })
    await expect(withPrimes).rejects.toThrow(/^registration failed: 400 .*invalid_client_metadata/)
    const registered = await registerClient(server.url, {
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: {
        keys: [
          { ...publicPart, kid: 'rsa-1', alg: 'RS256', use: 'sig', note: 'unknown member', x5u: 'https://x' },
        ],
      },
    })
    const expected = { kty: 'RSA', n: publicPart.n, e: publicPart.e, kid: 'rsa-1', alg: 'RS256', use: 'sig' }
    expect((registered.jwks as { keys: unknown[] }).keys).toEqual([expected])
    const listed = (await admin(server.url, 'GET', '/clients')).body.clients.find(
      (c: { client_id: string }) => c.client_id === registered.client_id,
    )
    expect(listed.jwks.keys).toEqual([expected])
  })

  it('item 11: deeply nested device metadata is a 400, never a 500', async () => {
    const deep = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`
    const body = `{"jwk":${JSON.stringify((await deviceKey()).jwk)},"acl":{},"metadata":${deep}}`
    const response = await fetch(`${server.url}/admin/devices`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${(await import('./helpers/authority.js')).ADMIN_TOKEN}`,
        'content-type': 'application/json',
      },
      body,
    })
    expect(response.status).toBe(400)
    expect(((await response.json()) as { error: string }).error).toBe('invalid_request')
    const tooDeep = { a: { b: { c: { d: { e: { f: { g: { h: { i: { j: 1 } } } } } } } } } }
    const patched = await admin(server.url, 'PATCH', '/devices/dev-lock', { metadata: tooDeep })
    expect(patched.status).toBe(400)
    expect(patched.body.error).toBe('invalid_request')
    expect(
      (await admin(server.url, 'PATCH', '/devices/dev-lock', { metadata: { a: { b: 1 } } })).status,
    ).toBe(200)
  })
})

/** Issue 11 item 6: introspection and revocation are limited like the token endpoint. */
describe.each([
  ['per address', { rateLimitPerAddress: 3, rateLimitPerClient: 0 }],
  ['per client', { rateLimitPerAddress: 0, rateLimitPerClient: 3 }],
])('item 6: introspection and revocation are rate limited %s', (_name, limits) => {
  const dir = tempDir()
  let server: RunningAuthority

  beforeAll(async () => {
    server = await startAuthority({ dataDir: dir.path, ...limits })
  })
  afterAll(async () => {
    await server?.close()
    dir.remove()
  })

  it.each(['/oauth/introspect', '/oauth/revoke'])('%s answers 429 slow_down past the limit', async (path) => {
    const client = await registerClient(server.url)
    const authorization = basic(client.client_id, client.client_secret)
    const localAddress = path === '/oauth/introspect' ? '127.0.5.1' : '127.0.5.2'
    const answers = await Promise.all(
      Array.from({ length: 5 }, () =>
        postForm(server.url, path, { token: 'not-a-token' }, { authorization, localAddress }),
      ),
    )
    const statuses = answers.map((answer) => answer.status).sort()
    expect(statuses).toEqual([200, 200, 200, 429, 429])
    const limited = answers.find((answer) => answer.status === 429)
    expect(limited?.body.error).toBe('slow_down')
    expect(Number(limited?.headers['retry-after'])).toBeGreaterThanOrEqual(1)
  })
})
