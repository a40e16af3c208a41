import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { connect } from 'node:net'
import { join } from 'node:path'
import { generateKeyPair, jwtVerify, SignJWT } from 'jose'
import { connectAsync } from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createMqttBroker, type MqttBroker } from '../../src/mqtt/broker.js'
import { tempDir } from '../helpers/authority.js'

const { privateKey, publicKey } = await generateKeyPair('ES256')

/** The broker's TLS listener (key and certificate from settings), and plain TCP only on loopback. */
describe('embedded MQTT broker over TLS', () => {
  const dir = tempDir()
  let broker: MqttBroker
  let cert: Buffer

  beforeAll(async () => {
    const [keyPath, certPath] = [join(dir.path, 'key.pem'), join(dir.path, 'cert.pem')]
    execFileSync(
      'openssl',
      [
        ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'],
        ...['-keyout', keyPath, '-out', certPath, '-days', '1', '-subj', '/CN=localhost'],
        ...['-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'],
      ],
      { stdio: 'ignore' },
    )
    cert = readFileSync(certPath)
    broker = await createMqttBroker({
      port: 0,
      tls: { key: readFileSync(keyPath), cert },
      verify: async (jwt) =>
        (await jwtVerify(jwt, publicKey, { algorithms: ['ES256'], typ: 'at+jwt' })).payload,
      username: 'device-id',
      clientIdIsSubject: true,
      clockTolerance: 0,
    })
  })
  afterAll(async () => {
    await broker?.close()
    dir.remove()
  })

  it('accepts a device over mqtts with the certificate from settings', async () => {
    const now = Math.floor(Date.now() / 1000)
    const token = await new SignJWT({ acl: { publish: ['devices/t1/telemetry'], subscribe: [] } })
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt' })
      .setSubject('t1')
      .setIssuedAt(now)
      .setExpirationTime(now + 60)
      .sign(privateKey)
    const client = await connectAsync(`mqtts://127.0.0.1:${broker.port}`, {
      clientId: 't1',
      username: 't1',
      password: token,
      protocolVersion: 4,
      reconnectPeriod: 0,
      ca: cert,
    })
    await client.publishAsync('devices/t1/telemetry', 'over tls', { qos: 1 })
    await client.endAsync()
    // A plain-TCP CONNECT gets nowhere on the TLS port: the server closes the socket.
    const socket = connect(broker.port, '127.0.0.1')
    const ended = new Promise<Buffer>((resolve) => {
      const chunks: Buffer[] = []
      socket.on('data', (chunk: Buffer) => chunks.push(chunk))
      socket.on('close', () => resolve(Buffer.concat(chunks)))
      socket.on('error', () => {})
    })
    // CONNECT, MQTT 3.1.1, clean session, client id "t1".
    socket.write(
      Buffer.from([
        0x10, 0x0e, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0x02, 0x00, 0x3c, 0x00, 0x02, 0x74, 0x31,
      ]),
    )
    const answer = await ended
    expect(answer.includes(Buffer.from([0x20, 0x02]))).toBe(false)
  })

  it('refuses plain TCP beyond loopback: a TypeError naming "tls"', async () => {
    await expect(
      createMqttBroker({
        port: 0,
        host: '0.0.0.0',
        verify: async () => ({}),
        username: 'ignored',
        clientIdIsSubject: true,
        clockTolerance: 0,
      }),
    ).rejects.toThrow(/"tls"/)
  })
})
