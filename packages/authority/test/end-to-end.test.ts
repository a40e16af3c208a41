import { createRemoteJWKSet, jwtVerify } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type RunningAuthority,
  registerClient,
  requestToken,
  startAuthority,
  tempDir,
} from './helpers/authority.js'

describe('issue, publish, verify over real HTTP', () => {
  const dir = tempDir()
  let server: RunningAuthority

  beforeAll(async () => {
    server = await startAuthority({ dataDir: dir.path })
  })
  afterAll(async () => {
    await server?.close()
    dir.remove()
  })

  it('registers a client, issues a token, and jose verifies it against the live JWKS', async () => {
    const client = await registerClient(server.url, { resources: ['https://api.example'] })
    expect(client.client_secret).toMatch(/^[A-Za-z0-9_-]{43}$/)
    const { status, headers, body } = await requestToken(server.url, client, { scope: 'read' })
    expect(status).toBe(200)
    expect(headers.get('cache-control')).toBe('no-store')
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 900, scope: 'read' })

    const JWKS = createRemoteJWKSet(new URL(`${server.url}/.well-known/jwks.json`))
    const { payload, protectedHeader } = await jwtVerify(body.access_token as string, JWKS, {
      issuer: server.url,
      audience: 'https://api.example',
      typ: 'at+jwt',
      algorithms: ['ES256'],
    })
    expect(protectedHeader.kid).toEqual(expect.any(String))
    expect(payload).toMatchObject({ sub: client.client_id, client_id: client.client_id, scope: 'read' })
    expect(Object.keys(payload).sort()).toEqual([
      'aud',
      'client_id',
      'exp',
      'iat',
      'iss',
      'jti',
      'scope',
      'sub',
    ])
    expect((payload.exp as number) - (payload.iat as number)).toBe(900)
  })
  it('refuses an http jwks_uri unless configured for loopback tests', async () => {
    await expect(
      registerClient(server.url, {
        token_endpoint_auth_method: 'private_key_jwt',
        jwks_uri: 'http://127.0.0.1:1/jwks',
      }),
    ).rejects.toThrow(/400.*invalid_client_metadata/)
  })
})
