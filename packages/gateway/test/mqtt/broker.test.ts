import { generateKeyPair, jwtVerify, SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createMqttBroker, type MqttBroker, type MqttEvent } from '../../src/mqtt/broker.js'
import { CONNACK } from '../../src/mqtt/connack.js'
import { closed, connectDevice, inbox, refusedWith, sleep, subackCodes } from './helpers.js'

const ISSUER = 'https://issuer.test'
const { privateKey, publicKey } = await generateKeyPair('ES256')
const other = await generateKeyPair('ES256')

function acl(device: string) {
  return { publish: [`devices/${device}/telemetry`], subscribe: [`devices/${device}/commands/#`] }
}

async function token(
  sub: string,
  options: { lifetime?: number; key?: typeof privateKey; claims?: object } = {},
) {
  const now = Math.floor(Date.now() / 1000)
  return new SignJWT({ client_id: 'fleet', acl: acl(sub), ...options.claims })
    .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt' })
    .setIssuer(ISSUER)
    .setSubject(sub)
    .setAudience('mqtt')
    .setIssuedAt(now)
    .setExpirationTime(now + (options.lifetime ?? 300))
    .setJti(crypto.randomUUID())
    .sign(options.key ?? privateKey)
}

/** The embedded broker with an injected verifier: CONNACK codes, ACLs, expiry and revocation. */
describe('embedded MQTT broker', () => {
  let broker: MqttBroker
  const events: MqttEvent[] = []
  const revoked = new Set<string>()

  beforeAll(async () => {
    broker = await createMqttBroker({
      port: 0,
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
      username: 'device-id',
      clientIdIsSubject: true,
      clockTolerance: 0,
      onEvent: (event) => events.push(event),
    })
  })
  afterAll(async () => {
    await broker?.close()
  })

  it('refuses connections with the CONNACK code for each failure', async () => {
    const port = broker.port
    expect(await refusedWith(port, { clientId: 'd1', username: 'd1' })).toBe(CONNACK.notAuthorized)
    expect(await refusedWith(port, { clientId: 'd1', username: 'd1', password: 'not-a-jwt' })).toBe(
      CONNACK.badUsernameOrPassword,
    )
    const wronglySigned = await token('d1', { key: other.privateKey })
    expect(await refusedWith(port, { clientId: 'd1', username: 'd1', password: wronglySigned })).toBe(
      CONNACK.badUsernameOrPassword,
    )
    const good = await token('d1')
    expect(await refusedWith(port, { clientId: 'd2', username: 'd1', password: good })).toBe(
      CONNACK.identifierRejected,
    )
    expect(await refusedWith(port, { clientId: 'd1', username: 'someone', password: good })).toBe(
      CONNACK.badUsernameOrPassword,
    )
    const badAcl = await token('d1', { claims: { acl: { publish: ['a/#/b'] } } })
    expect(await refusedWith(port, { clientId: 'd1', username: 'd1', password: badAcl })).toBe(
      CONNACK.badUsernameOrPassword,
    )
    expect(await refusedWith(port, { clientId: 'd1', username: 'd1', password: good })).toBe(0)
    expect(
      events
        .filter((e) => e.type === 'connect' && e.outcome === 'refused')
        .map((e) => 'reason' in e && e.reason),
    ).toEqual([
      'no_credentials',
      'invalid_token',
      'invalid_token',
      'client_id_mismatch',
      'username_mismatch',
      'bad_acl',
    ])
  })

  it('delivers publishes the ACL allows, drops the rest, and answers refused subscriptions with 0x80', async () => {
    const d1 = await connectDevice(broker.port, {
      clientId: 'd1',
      username: 'd1',
      password: await token('d1'),
    })
    const d2 = await connectDevice(broker.port, {
      clientId: 'd2',
      username: 'd2',
      password: await token('d2'),
    })
    const watcher = await connectDevice(broker.port, {
      clientId: 'watcher',
      username: 'watcher',
      password: await token('watcher', { claims: { acl: { publish: [], subscribe: ['devices/#'] } } }),
    })
    const seen = inbox(watcher)
    expect(await watcher.subscribeAsync('devices/#', { qos: 1 })).toEqual([{ topic: 'devices/#', qos: 1 }])
    const codes = await subackCodes(d1, ['devices/d1/commands/#', 'devices/d2/commands/#', '$SYS/#', '#'])
    expect(codes).toEqual([0, 0x80, 0x80, 0x80])
    const denied = events.filter((e) => e.type === 'publish_denied').length
    await d1.publishAsync('devices/d1/telemetry', 'mine', { qos: 1 })
    // Someone else's topic: acknowledged (3.1.1 has no refusal) but never delivered; the connection stays.
    await d1.publishAsync('devices/d2/telemetry', 'forged', { qos: 1 })
    await d1.publishAsync('devices/d2/telemetry', 'forged', { qos: 0 })
    await d2.publishAsync('devices/d2/telemetry', 'theirs', { qos: 1 })
    await sleep(200)
    expect(seen).toEqual([
      { topic: 'devices/d1/telemetry', payload: 'mine' },
      { topic: 'devices/d2/telemetry', payload: 'theirs' },
    ])
    expect(events.filter((e) => e.type === 'publish_denied').length - denied).toBe(2)
    expect(d1.connected).toBe(true)
    await Promise.all([d1.endAsync(), d2.endAsync(), watcher.endAsync()])
  })

  it('closes the connection when the token expires, without sending the Will', async () => {
    const watcher = await connectDevice(broker.port, {
      clientId: 'watcher2',
      username: 'watcher2',
      password: await token('watcher2', { claims: { acl: { publish: [], subscribe: ['devices/#'] } } }),
    })
    const seen = inbox(watcher)
    await watcher.subscribeAsync('devices/#')
    const short = await token('d3', { lifetime: 2 })
    const { exp } = JSON.parse(Buffer.from(short.split('.')[1] as string, 'base64url').toString())
    const device = await connectDevice(broker.port, {
      clientId: 'd3',
      username: 'd3',
      password: short,
      will: { topic: 'devices/d3/telemetry', payload: Buffer.from('gone'), qos: 0, retain: false },
    })
    await closed(device)
    const late = Date.now() - exp * 1000
    expect(late).toBeGreaterThanOrEqual(0)
    expect(late).toBeLessThan(1000)
    await sleep(200)
    expect(seen).toEqual([])
    expect(events).toContainEqual({ type: 'disconnect', reason: 'expired' })
    // The control: a connection lost while the token is live does send its Will.
    const lost = await connectDevice(broker.port, {
      clientId: 'd6',
      username: 'd6',
      password: await token('d6', { claims: { acl: { publish: ['devices/d6/status'], subscribe: [] } } }),
      will: { topic: 'devices/d6/status', payload: Buffer.from('lost'), qos: 0, retain: false },
    })
    lost.stream.destroy()
    await sleep(300)
    expect(seen).toEqual([{ topic: 'devices/d6/status', payload: 'lost' }])
    // A fresh token connects again.
    const again = await connectDevice(broker.port, {
      clientId: 'd3',
      username: 'd3',
      password: await token('d3'),
    })
    await again.endAsync()
    await watcher.endAsync()
  })

  it('disconnects a device whose token is revoked, and refuses it on reconnect', async () => {
    const jwt = await token('d4')
    const device = await connectDevice(broker.port, { clientId: 'd4', username: 'd4', password: jwt })
    const bystander = await connectDevice(broker.port, {
      clientId: 'd5',
      username: 'd5',
      password: await token('d5'),
    })
    const gone = closed(device)
    revoked.add(JSON.parse(Buffer.from(jwt.split('.')[1] as string, 'base64url').toString()).jti)
    expect(broker.disconnectRevoked()).toBe(1)
    await gone
    expect(bystander.connected).toBe(true)
    expect(await refusedWith(broker.port, { clientId: 'd4', username: 'd4', password: jwt })).toBe(
      CONNACK.notAuthorized,
    )
    await bystander.endAsync()
  })
})
