import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, type RunningAuthority, startAuthority, tempDir } from './helpers/authority.js'
import {
  assertion,
  type DeviceKey,
  deviceKey,
  type Json,
  JWT_BEARER,
  registerDevice,
} from './helpers/devices.js'

async function register(url: string, metadata: Record<string, unknown>) {
  const response = await fetch(`${url}/oauth/register`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(metadata),
  })
  return { status: response.status, body: (await response.json()) as Json }
}

/** A public client sends its client_id and nothing else (RFC 6749 §2.3, §3.2.1). */
async function publicRequest(url: string, path: string, params: Record<string, string>) {
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params),
  })
  const text = await response.text()
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as Json }
}

/** Device fleets without a shared secret: token_endpoint_auth_method "none" (issue 15). */
describe('public device-fleet clients', () => {
  const dir = tempDir()
  let server: RunningAuthority
  let clientId: string
  let key: DeviceKey
  let deviceId: string

  beforeAll(async () => {
    server = await startAuthority({ dataDir: dir.path, deviceFailureLimit: 0 })
    const created = await register(server.url, {
      client_name: 'fleet',
      token_endpoint_auth_method: 'none',
      grant_types: [JWT_BEARER],
    })
    expect(created.status).toBe(201)
    expect(created.body.client_secret).toBeUndefined()
    expect(created.body.grant_types).toEqual([JWT_BEARER, 'refresh_token'])
    clientId = created.body.client_id
    key = await deviceKey('ES256')
    deviceId = (await registerDevice(server.url, key)).id
  })
  afterAll(async () => {
    await server?.close()
    dir.remove()
  })

  it('may register only the jwt-bearer and refresh_token grants', async () => {
    for (const grant_types of [['client_credentials'], [JWT_BEARER, 'client_credentials']]) {
      const refused = await register(server.url, { token_endpoint_auth_method: 'none', grant_types })
      expect(refused.status).toBe(400)
      expect(refused.body.error).toBe('invalid_client_metadata')
    }
    // The default grant (client_credentials) is refused too: a public client must name its grants.
    const defaulted = await register(server.url, { token_endpoint_auth_method: 'none' })
    expect(defaulted.body.error).toBe('invalid_client_metadata')
    const metadata = (await (
      await fetch(`${server.url}/.well-known/oauth-authorization-server`)
    ).json()) as Json
    expect(metadata.token_endpoint_auth_methods_supported).toContain('none')
    expect(metadata.introspection_endpoint_auth_methods_supported).not.toContain('none')
    expect(metadata.revocations_endpoint).toBe(`${server.url}/revocations`)
  })

  it("logs a device in with only the device's signed assertion, then refreshes and revokes", async () => {
    const jwt = await assertion(key, deviceId, server.url)
    const login = await publicRequest(server.url, '/oauth/token', {
      grant_type: JWT_BEARER,
      client_id: clientId,
      assertion: jwt,
    })
    expect(login.status).toBe(200)
    expect(login.body.token_type).toBe('Bearer')
    const refreshed = await publicRequest(server.url, '/oauth/token', {
      grant_type: 'refresh_token',
      client_id: clientId,
      refresh_token: login.body.refresh_token,
    })
    expect(refreshed.status).toBe(200)
    const revoked = await publicRequest(server.url, '/oauth/revoke', {
      client_id: clientId,
      token: refreshed.body.access_token,
    })
    expect(revoked.status).toBe(200)
  })

  it('cannot use any other grant, nor introspect', async () => {
    const credentials = await publicRequest(server.url, '/oauth/token', {
      grant_type: 'client_credentials',
      client_id: clientId,
    })
    expect(credentials.status).toBe(400)
    expect(credentials.body.error).toBe('unauthorized_client')
    // A forged assertion proves nothing, with or without a secret.
    const other = await deviceKey('ES256')
    const forged = await publicRequest(server.url, '/oauth/token', {
      grant_type: JWT_BEARER,
      client_id: clientId,
      assertion: await assertion(other, deviceId, server.url),
    })
    expect(forged.status).toBe(400)
    expect(forged.body.error).toBe('invalid_grant')
    const introspection = await publicRequest(server.url, '/oauth/introspect', {
      client_id: clientId,
      token: 'x.y.z',
    })
    expect(introspection.status).toBe(401)
    expect(introspection.body.error).toBe('invalid_client')
  })

  it('a confidential client cannot drop its secret and pass as public', async () => {
    const confidential = await register(server.url, { grant_types: [JWT_BEARER] })
    const attempt = await publicRequest(server.url, '/oauth/token', {
      grant_type: JWT_BEARER,
      client_id: confidential.body.client_id,
      assertion: await assertion(key, deviceId, server.url),
    })
    expect(attempt.status).toBe(401)
    expect(attempt.body.error).toBe('invalid_client')
  })
})
