import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  ADMIN_TOKEN,
  basic,
  type RunningAuthority,
  registerClient,
  startAuthority,
  tempDir,
} from './helpers/authority.js'

/** Every endpoint, every odd body: answers are 4xx (or 2xx/304), never 5xx, and errors have the standard body. */
describe('hostile input never yields a 5xx', () => {
  const dir = tempDir()
  let server: RunningAuthority
  let auth: string

  beforeAll(async () => {
    server = await startAuthority({
      dataDir: dir.path,
      bodyLimit: 2048,
      rateLimitPerClient: 0,
      rateLimitPerAddress: 0,
    })
    const client = await registerClient(server.url)
    auth = basic(client.client_id, client.client_secret)
  })
  afterAll(async () => {
    await server?.close()
    dir.remove()
  })

  it('survives a matrix of paths, content types, bodies and credentials', async () => {
    const paths = [
      '/oauth/token',
      '/oauth/introspect',
      '/oauth/revoke',
      '/oauth/register',
      '/admin/keys/rotate',
      '/admin/keys/x/revoke',
      '/admin/clients/%00/disable',
    ]
    const types = [
      'application/x-www-form-urlencoded',
      'application/json',
      'text/plain',
      'multipart/form-data; boundary=x',
      'application/x-www-form-urlencoded; charset=utf-16',
      '',
    ]
    const bodies = [
      '',
      'grant_type=client_credentials&resource=https%3A%2F%2Fa&resource=https%3A%2F%2Fb',
      `token=${'a.'.repeat(900)}`,
      'grant_type=client_credentials&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=e30.e30.',
      'grant_type=client_credentials&scope=%00%FF',
      '%%%%&&&==',
      '{"token_endpoint_auth_method":"private_key_jwt","jwks":{"keys":[{"kty":"EC","crv":"P-256","x":"AA","y":"AA"}]}}',
      '{"jwks_uri":"javascript:alert(1)","token_endpoint_auth_method":"private_key_jwt"}',
      '{"scope":123,"resources":[null]}',
      '{"constructor":{"prototype":{"x":1}}}',
      'x'.repeat(3000),
    ]
    const credentials = [
      undefined,
      auth,
      `Bearer ${ADMIN_TOKEN}`,
      'Basic Og==',
      `Basic ${Buffer.from('%zz:%zz').toString('base64')}`,
      'Bearer',
    ]
    let requests = 0
    for (const path of paths) {
      for (const type of types) {
        for (const body of bodies) {
          for (const authorization of credentials) {
            const headers: Record<string, string> = {}
            if (type) headers['content-type'] = type
            if (authorization) headers.authorization = authorization
            const response = await fetch(`${server.url}${path}`, { method: 'POST', headers, body })
            requests++
            const text = await response.text()
            const label = `${path} ${type} ${body.slice(0, 40)} ${authorization}: ${text}`
            expect(response.status, label).toBeLessThan(500)
            if (response.status >= 400) expect(JSON.parse(text), label).toHaveProperty('error')
          }
        }
      }
    }
    expect(requests).toBe(paths.length * types.length * bodies.length * credentials.length)
    // 2,772 sequential requests: on a shared, loaded machine (load 15 on 2 cores) they take over 30 s,
    // with or without issue 11's changes; the matrix is about answers, not speed.
  }, 90_000)
  it('answers odd device-admin requests and device grants with 4xx, never 5xx', async () => {
    const fleet = await registerClient(server.url, {
      grant_types: ['urn:ietf:params:oauth:grant-type:jwt-bearer'],
    })
    const fleetAuth = basic(fleet.client_id, fleet.client_secret)
    const jsonBodies = [
      '',
      'null',
      '[]',
      '"x"',
      '{"jwk":null,"acl":null}',
      '{"jwk":{"kty":"OKP","crv":"Ed25519","x":"!!"},"acl":{"publish":"a"}}',
      '{"jwk":{"kty":"EC","crv":"P-256","x":"AA","y":"AA","d":"AA"},"acl":{}}',
      '{"id":"../x","jwk":{},"acl":{}}',
      '{"status":"gone"}',
      '{"acl":{"publish":[null],"subscribe":[1]}}',
      '{"metadata":[1]}',
      '{"device":["x"]}',
      '{"client":"a","device":"b"}',
      '{"__proto__":{"status":"active"}}',
    ]
    const requests: [string, string][] = [
      ['POST', '/admin/devices'],
      ['PATCH', '/admin/devices/x'],
      ['PATCH', '/admin/devices/%00'],
      ['DELETE', '/admin/devices/%2F..'],
      ['GET', '/admin/devices/x/refresh-families'],
      ['POST', '/admin/kill-switch'],
    ]
    for (const [method, path] of requests) {
      for (const body of jsonBodies) {
        const hasBody = method !== 'GET' && method !== 'DELETE'
        const response = await fetch(`${server.url}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${ADMIN_TOKEN}`,
            ...(hasBody ? { 'content-type': 'application/json' } : {}),
          },
          ...(hasBody ? { body } : {}),
        })
        const text = await response.text()
        const label = `${method} ${path} ${body}: ${text}`
        expect(response.status, label).toBeLessThan(500)
        if (response.status >= 400) expect(JSON.parse(text), label).toHaveProperty('error')
      }
    }
    const grants = [
      'grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer',
      'grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=e30.e30.',
      'grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4In0.',
      `grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=${'a'.repeat(1500)}`,
      'grant_type=refresh_token',
      'grant_type=refresh_token&refresh_token=%00',
      `grant_type=refresh_token&refresh_token=${'A'.repeat(43)}`,
      'grant_type=refresh_token&refresh_token=x&scope=a',
    ]
    for (const body of grants) {
      for (const authorization of [fleetAuth, auth]) {
        const response = await fetch(`${server.url}/oauth/token`, {
          method: 'POST',
          headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
          body,
        })
        const text = await response.text()
        expect(response.status, `${body}: ${text}`).toBeGreaterThanOrEqual(400)
        expect(response.status, `${body}: ${text}`).toBeLessThan(500)
        expect(JSON.parse(text)).toHaveProperty('error')
      }
    }
  })
})
