import { createServer, type Server } from 'node:http'
import { generateKeyPair, jwtVerify, SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { MqttEvent } from '../../src/mqtt/broker.js'
import { BROKER_PLUGIN_PATHS, brokerPluginHandler, createBrokerPlugin } from '../../src/mqtt/broker-plugin.js'

const ISSUER = 'https://issuer.test'
const { privateKey, publicKey } = await generateKeyPair('ES256')

async function token(sub: string, lifetime = 300) {
  const now = Math.floor(Date.now() / 1000)
  return new SignJWT({
    client_id: 'fleet',
    acl: { publish: [`devices/${sub}/telemetry`], subscribe: [`devices/${sub}/commands/#`] },
  })
    .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt' })
    .setIssuer(ISSUER)
    .setSubject(sub)
    .setAudience('mqtt')
    .setIssuedAt(now)
    .setExpirationTime(now + lifetime)
    .setJti(crypto.randomUUID())
    .sign(privateKey)
}

/**
 * Broker-plugin mode: requests shaped as EMQX 5 (HTTP authentication and authorization) and
 * VerneMQ's vmq_webhooks send them, over real HTTP, backed by the same verifier and ACL check.
 */
describe('EMQX and VerneMQ hook endpoints', () => {
  let server: Server
  let base: string
  const events: MqttEvent[] = []
  const revoked = new Set<string>()

  beforeAll(async () => {
    const plugin = createBrokerPlugin({
      auth: {
        verify: async (jwt) =>
          (
            await jwtVerify(jwt, publicKey, {
              issuer: ISSUER,
              audience: 'mqtt',
              typ: 'at+jwt',
              algorithms: ['ES256'],
            })
          ).payload,
        isRevoked: (claims) => revoked.has(claims.jti as string),
        username: 'ignored',
        clientIdIsSubject: true,
        clockTolerance: 0,
        now: Date.now,
      },
      onEvent: (event) => events.push(event),
    })
    server = createServer(brokerPluginHandler(plugin))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const address = server.address()
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
  })
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve))
  })

  async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
    const response = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    })
    return {
      status: response.status,
      type: response.headers.get('content-type'),
      body: (await response.json()) as Record<string, unknown>,
    }
  }

  describe('EMQX', () => {
    // The body templates the README tells EMQX to send: authentication, then authorization.
    const authn = (clientid: string, password: string) => ({
      clientid,
      username: clientid,
      password,
      peerhost: '127.0.0.1',
    })
    const authz = (clientid: string, topic: string, action: string) => ({
      clientid,
      username: clientid,
      peerhost: '127.0.0.1',
      topic,
      action,
      qos: '1',
      retain: 'false',
    })

    it('authentication: allow with expire_at for a good token, deny (never ignore) for anything else', async () => {
      const jwt = await token('e1')
      const allowed = await post(BROKER_PLUGIN_PATHS.emqxAuthentication, authn('e1', jwt))
      expect(allowed.status).toBe(200)
      expect(allowed.type).toMatch(/^application\/json/)
      const { exp } = JSON.parse(Buffer.from(jwt.split('.')[1] as string, 'base64url').toString())
      expect(allowed.body).toEqual({ result: 'allow', is_superuser: false, expire_at: exp })
      for (const body of [authn('e1', 'garbage'), authn('e2', jwt), { clientid: 'e1', username: 'e1' }]) {
        const denied = await post(BROKER_PLUGIN_PATHS.emqxAuthentication, body)
        expect(denied).toMatchObject({ status: 200, body: { result: 'deny' } })
      }
      expect((await post(BROKER_PLUGIN_PATHS.emqxAuthentication, { username: 'x' })).status).toBe(400)
    })

    it('authorization: the token’s acl decides publish and subscribe, with MQTT wildcard semantics', async () => {
      await post(BROKER_PLUGIN_PATHS.emqxAuthentication, authn('e3', await token('e3')))
      const check = async (topic: string, action: string, clientid = 'e3') =>
        (await post(BROKER_PLUGIN_PATHS.emqxAuthorization, authz(clientid, topic, action))).body.result
      expect(await check('devices/e3/telemetry', 'publish')).toBe('allow')
      expect(await check('devices/e4/telemetry', 'publish')).toBe('deny')
      expect(await check('devices/e3/commands/#', 'subscribe')).toBe('allow')
      expect(await check('devices/+/commands/#', 'subscribe')).toBe('deny')
      expect(await check('$SYS/#', 'subscribe')).toBe('deny')
      // A client that never authenticated here has no permissions at all.
      expect(await check('devices/e9/telemetry', 'publish', 'e9')).toBe('deny')
      expect((await post(BROKER_PLUGIN_PATHS.emqxAuthorization, authz('e3', 'x', 'all'))).status).toBe(400)
    })

    it('authorization is denied once the token is revoked or has expired', async () => {
      const jwt = await token('e5')
      await post(BROKER_PLUGIN_PATHS.emqxAuthentication, authn('e5', jwt))
      revoked.add(JSON.parse(Buffer.from(jwt.split('.')[1] as string, 'base64url').toString()).jti)
      expect(
        (await post(BROKER_PLUGIN_PATHS.emqxAuthorization, authz('e5', 'devices/e5/telemetry', 'publish')))
          .body,
      ).toEqual({ result: 'deny' })
      await post(BROKER_PLUGIN_PATHS.emqxAuthentication, authn('e6', await token('e6', 1)))
      await new Promise((resolve) => setTimeout(resolve, 1200))
      expect(
        (await post(BROKER_PLUGIN_PATHS.emqxAuthorization, authz('e6', 'devices/e6/telemetry', 'publish')))
          .body,
      ).toEqual({ result: 'deny' })
    })
  })

  describe('VerneMQ webhooks', () => {
    const hook = (name: string) => ({ 'vernemq-hook': name })

    it('auth_on_register: ok for a good token, an error result otherwise', async () => {
      const body = {
        peer_addr: '127.0.0.1',
        peer_port: 8888,
        username: 'v1',
        password: await token('v1'),
        mountpoint: '',
        client_id: 'v1',
        clean_session: false,
      }
      expect(await post(BROKER_PLUGIN_PATHS.vernemq, body, hook('auth_on_register'))).toMatchObject({
        status: 200,
        body: { result: 'ok' },
      })
      const wrong = await post(
        BROKER_PLUGIN_PATHS.vernemq,
        { ...body, client_id: 'v2' },
        hook('auth_on_register'),
      )
      expect(wrong.body).toEqual({ result: { error: 'invalid_credentials' } })
      const none = await post(
        BROKER_PLUGIN_PATHS.vernemq,
        { ...body, password: null },
        hook('auth_on_register'),
      )
      expect(none.body).toEqual({ result: { error: 'invalid_credentials' } })
      expect((await post(BROKER_PLUGIN_PATHS.vernemq, body, hook('on_deliver'))).status).toBe(400)
      expect((await post(BROKER_PLUGIN_PATHS.vernemq, body)).status).toBe(400)
    })

    it('auth_on_publish and auth_on_subscribe: the acl decides; refused filters come back with qos 128', async () => {
      await post(
        BROKER_PLUGIN_PATHS.vernemq,
        {
          peer_addr: '127.0.0.1',
          peer_port: 1,
          username: 'v3',
          password: await token('v3'),
          mountpoint: '',
          client_id: 'v3',
          clean_session: true,
        },
        hook('auth_on_register'),
      )
      const publish = (topic: string) => ({
        username: 'v3',
        client_id: 'v3',
        mountpoint: '',
        qos: 1,
        topic,
        payload: Buffer.from('hello').toString('base64'),
        retain: false,
      })
      expect(
        (await post(BROKER_PLUGIN_PATHS.vernemq, publish('devices/v3/telemetry'), hook('auth_on_publish')))
          .body,
      ).toEqual({ result: 'ok' })
      expect(
        (await post(BROKER_PLUGIN_PATHS.vernemq, publish('devices/v4/telemetry'), hook('auth_on_publish')))
          .body,
      ).toEqual({ result: { error: 'not_allowed' } })
      const subscribe = (topics: { topic: string; qos: number }[]) => ({
        username: 'v3',
        client_id: 'v3',
        mountpoint: '',
        topics,
      })
      expect(
        (
          await post(
            BROKER_PLUGIN_PATHS.vernemq,
            subscribe([{ topic: 'devices/v3/commands/reboot', qos: 1 }]),
            hook('auth_on_subscribe'),
          )
        ).body,
      ).toEqual({ result: 'ok' })
      const mixed = await post(
        BROKER_PLUGIN_PATHS.vernemq,
        subscribe([
          { topic: 'devices/v3/commands/#', qos: 1 },
          { topic: 'devices/v4/commands/#', qos: 2 },
          { topic: '#', qos: 0 },
        ]),
        hook('auth_on_subscribe'),
      )
      expect(mixed.body).toEqual({
        result: 'ok',
        topics: [
          { topic: 'devices/v3/commands/#', qos: 1 },
          { topic: 'devices/v4/commands/#', qos: 128 },
          { topic: '#', qos: 128 },
        ],
      })
      // Another mountpoint is another session: nothing registered there.
      expect(
        (
          await post(
            BROKER_PLUGIN_PATHS.vernemq,
            { ...publish('devices/v3/telemetry'), mountpoint: 'tenant2' },
            hook('auth_on_publish'),
          )
        ).body,
      ).toEqual({ result: { error: 'not_allowed' } })
    })

    it('answers malformed requests with the standard error body, never a 500', async () => {
      const raw = await fetch(`${base}${BROKER_PLUGIN_PATHS.vernemq}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'vernemq-hook': 'auth_on_publish' },
        body: '{not json',
      })
      expect(raw.status).toBe(400)
      expect(await raw.json()).toEqual({ error: 'invalid_request', error_description: 'malformed JSON' })
      const big = await fetch(`${base}${BROKER_PLUGIN_PATHS.emqxAuthentication}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ clientid: 'x', password: 'x'.repeat(70_000) }),
      }).catch(() => undefined)
      expect(big === undefined || big.status === 413).toBe(true)
      expect((await fetch(`${base}${BROKER_PLUGIN_PATHS.vernemq}`)).status).toBe(405)
      expect(events.some((event) => event.type === 'subscribe_denied')).toBe(true)
    })
  })
})
