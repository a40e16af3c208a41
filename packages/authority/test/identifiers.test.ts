import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { basic, type RunningAuthority, registerClient, startAuthority, tempDir } from './helpers/authority.js'
import {
  admin,
  assertion,
  type Credentials,
  type DeviceKey,
  deviceKey,
  login,
  registerDevice,
  registerFleetClient,
} from './helpers/devices.js'
import { postForm } from './helpers/http.js'
import { createDatabase } from './helpers/postgres.js'

const dialects: [string, () => Promise<string | undefined>][] = [
  ['sqlite', async () => undefined],
  ['postgres', createDatabase],
]
const CLIENT_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'
const NUL_ID = 'client\u0000id'

/**
 * Issue 11 item 4: identifiers are checked for shape before any lookup, so a NUL (which PostgreSQL
 * refuses in text) or any other odd character is the standard error, never a 500, on both databases.
 */
describe.each(dialects)('identifiers are validated before they reach a query: %s', (_name, databaseUrl) => {
  const dir = tempDir()
  let server: RunningAuthority
  let fleet: Credentials
  let key: DeviceKey
  let signer: Awaited<ReturnType<typeof generateKeyPair>>
  let keyClient: Credentials

  beforeAll(async () => {
    const url = await databaseUrl()
    server = await startAuthority({ dataDir: dir.path, ...(url ? { databaseUrl: url } : {}) })
    fleet = await registerFleetClient(server.url)
    key = await deviceKey()
    await registerDevice(server.url, key, { id: 'dev-nul' })
    signer = await generateKeyPair('ES256')
    keyClient = await registerClient(server.url, {
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [{ ...(await exportJWK(signer.publicKey)), kid: 'k1' }] },
    })
  })
  afterAll(async () => {
    await server?.close()
    dir.remove()
  })

  it('client ids with a NUL are invalid_client at the token, introspection and revocation endpoints', async () => {
    const clientAssertion = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256' })
      .setIssuer(NUL_ID)
      .setSubject(NUL_ID)
      .setAudience(server.url)
      .setExpirationTime('1m')
      .setJti('j1')
      .sign(signer.privateKey)
    const attempts = [
      postForm(
        server.url,
        '/oauth/token',
        { grant_type: 'client_credentials' },
        { authorization: basic(NUL_ID, 's') },
      ),
      postForm(server.url, '/oauth/token', {
        grant_type: 'client_credentials',
        client_id: NUL_ID,
        client_secret: 's',
      }),
      postForm(server.url, '/oauth/token', {
        grant_type: 'client_credentials',
        client_assertion_type: CLIENT_ASSERTION,
        client_assertion: clientAssertion,
      }),
      postForm(server.url, '/oauth/introspect', { token: 'x' }, { authorization: basic(NUL_ID, 's') }),
      postForm(server.url, '/oauth/revoke', { token: 'x' }, { authorization: basic(NUL_ID, 's') }),
    ]
    for (const answer of await Promise.all(attempts)) {
      expect(answer.status).toBe(401)
      expect(answer.body.error).toBe('invalid_client')
    }
  })

  it('a NUL in a client assertion jti is invalid_client', async () => {
    const clientAssertion = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setIssuer(keyClient.client_id)
      .setSubject(keyClient.client_id)
      .setAudience(server.url)
      .setExpirationTime('1m')
      .setJti('jti\u0000x')
      .sign(signer.privateKey)
    const answer = await postForm(server.url, '/oauth/token', {
      grant_type: 'client_credentials',
      client_assertion_type: CLIENT_ASSERTION,
      client_assertion: clientAssertion,
    })
    expect(answer.status).toBe(401)
    expect(answer.body.error).toBe('invalid_client')
  })

  it('device ids and assertion jtis with a NUL are invalid_grant', async () => {
    const badIssuer = await login(server.url, fleet, await assertion(key, 'dev\u0000nul', server.url))
    expect(badIssuer.status).toBe(400)
    expect(badIssuer.body.error).toBe('invalid_grant')
    const badJti = await login(
      server.url,
      fleet,
      await assertion(key, 'dev-nul', server.url, { jti: 'a\u0000b' }),
    )
    expect(badJti.status).toBe(400)
    expect(badJti.body.error).toBe('invalid_grant')
    expect((await login(server.url, fleet, await assertion(key, 'dev-nul', server.url))).status).toBe(200)
  })

  it('the admin API answers malformed ids with 404 or 400', async () => {
    expect((await admin(server.url, 'GET', '/devices/a%00b')).status).toBe(404)
    expect((await admin(server.url, 'GET', '/devices/a%00b/refresh-families')).status).toBe(404)
    expect((await admin(server.url, 'PATCH', '/devices/a%00b', { status: 'disabled' })).status).toBe(404)
    expect((await admin(server.url, 'DELETE', '/devices/a%00b')).status).toBe(404)
    expect((await admin(server.url, 'POST', '/clients/a%00b/disable')).status).toBe(404)
    for (const body of [{ device: 'a\u0000b' }, { client: 'a\u0000b' }, { subject: '\u0000' }]) {
      const answer = await admin(server.url, 'POST', '/kill-switch', body)
      expect(answer.status).toBe(400)
      expect(answer.body.error).toBe('invalid_request')
    }
  })
})
