import { createServer } from 'node:http'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningAuthority, registerClient, startAuthority, tempDir } from './helpers/authority.js'

/** RFC 7523 client assertions (private_key_jwt) with registered jwks and a jwks_uri. */
describe('private_key_jwt client authentication over HTTP', () => {
  const dir = tempDir()
  let server: RunningAuthority

  const post = (path: string, body: string) =>
    fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    })

  beforeAll(async () => {
    server = await startAuthority({ dataDir: dir.path, allowHttpJwksUri: true })
  })
  afterAll(async () => {
    await server?.close()
    dir.remove()
  })

  it('authenticates private_key_jwt, refusing replays, wrong audiences and long-lived assertions', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256')
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256' }
    const pkj = await registerClient(server.url, {
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [jwk] },
    })
    const assertion = (claims: { aud?: string; exp?: string; jti?: string } = {}) =>
      new SignJWT({})
        .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
        .setIssuer(pkj.client_id)
        .setSubject(pkj.client_id)
        .setAudience(claims.aud ?? `${server.url}/oauth/token`)
        .setExpirationTime(claims.exp ?? '2m')
        .setIssuedAt()
        .setJti(claims.jti ?? crypto.randomUUID())
        .sign(privateKey)
    const send = async (token: string) => {
      const body = new URLSearchParams({
        grant_type: 'client_credentials',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: token,
      })
      const response = await post('/oauth/token', body.toString())
      return { status: response.status, body: (await response.json()) as Record<string, unknown> }
    }
    const once = await assertion()
    expect((await send(once)).status).toBe(200)
    expect(await send(once)).toMatchObject({ status: 401, body: { error: 'invalid_client' } })
    expect((await send(await assertion({ aud: server.url }))).status).toBe(200)
    expect((await send(await assertion({ aud: 'https://elsewhere.example' }))).status).toBe(401)
    expect((await send(await assertion({ exp: '1h' }))).status).toBe(401)
    expect((await send('not.a.jwt')).status).toBe(401)
  })

  it('authenticates private_key_jwt against a jwks_uri fetched with the remote JWKS client', async () => {
    const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' })
    const jwks = JSON.stringify({
      keys: [{ ...(await exportJWK(publicKey)), kid: 'remote-1', alg: 'EdDSA' }],
    })
    const keyServer = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=60' }).end(jwks)
    })
    await new Promise<void>((resolve) => keyServer.listen(0, '127.0.0.1', resolve))
    try {
      const address = keyServer.address() as { port: number }
      const remote = await registerClient(server.url, {
        token_endpoint_auth_method: 'private_key_jwt',
        jwks_uri: `http://127.0.0.1:${address.port}/jwks.json`,
      })
      const assertion = await new SignJWT({})
        .setProtectedHeader({ alg: 'EdDSA', kid: 'remote-1' })
        .setIssuer(remote.client_id)
        .setSubject(remote.client_id)
        .setAudience(server.url)
        .setExpirationTime('1m')
        .setJti(crypto.randomUUID())
        .sign(privateKey)
      const body = new URLSearchParams({
        grant_type: 'client_credentials',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: assertion,
      })
      const response = await post('/oauth/token', body.toString())
      expect(response.status).toBe(200)
    } finally {
      await new Promise((resolve) => keyServer.close(resolve))
    }
  })
})
