import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import type { MqttClient } from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort, tempDir } from './helpers/authority.js'
import {
  admin,
  claimsOf,
  type DeviceAuthority,
  type DeviceTokens,
  deviceLogin,
  registerDevice,
  registerFleet,
  revokeToken,
  startDeviceAuthority,
  type TestDevice,
} from './helpers/devices.js'
import { startUpstream, type TestUpstream } from './helpers/upstream.js'
import { closed, connectDevice, inbox, refusedWith, sleep, subackCodes } from './mqtt/helpers.js'

const MAIN = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url))
const execFileAsync = promisify(execFile)
const POLL_SECONDS = 1

/** Runs a mosquitto client (Debian's mosquitto-clients); resolves with its exit code and output. */
async function mosquitto(
  command: 'mosquitto_pub' | 'mosquitto_sub',
  args: string[],
): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(command, args, { timeout: 10_000 })
    return { code: 0, output: stdout + stderr }
  } catch (error) {
    const failure = error as { code?: number; stdout?: string; stderr?: string }
    return {
      code: typeof failure.code === 'number' ? failure.code : -1,
      output: `${failure.stdout}${failure.stderr}`,
    }
  }
}

/**
 * Issue 15 end to end: the real authority, `tessera-gateway --mqtt-port` as a process, devices that
 * log in with jwt-bearer through a public fleet client, Debian's mosquitto clients and the mqtt npm
 * client against the embedded broker, and revocation snapshots reaching HTTP and MQTT.
 */
describe('tessera-gateway with MQTT and revocation snapshots', () => {
  const dir = tempDir()
  let authority: DeviceAuthority
  let upstream: TestUpstream
  let gateway: ChildProcess
  let httpUrl: string
  let metricsUrl: string
  let mqttPort: number
  let fleet: string
  const devices: Record<string, TestDevice> = {}
  const login = (id: string) =>
    deviceLogin(authority.url, authority.issuer, fleet, devices[id] as TestDevice, authority.now())
  const connect = (id: string, tokens: DeviceTokens, options = {}) =>
    connectDevice(mqttPort, { clientId: id, username: id, password: tokens.access_token, ...options })

  beforeAll(async () => {
    authority = await startDeviceAuthority(dir.path)
    upstream = await startUpstream()
    fleet = await registerFleet(authority.url)
    for (const id of ['d1', 'd2', 'd3', 'd4']) devices[id] = await registerDevice(authority.url, id)
    devices.monitor = await registerDevice(authority.url, 'monitor', {
      publish: [],
      subscribe: ['devices/+/telemetry'],
    })
    const [port, metricsPort] = [await freePort(), await freePort()]
    mqttPort = await freePort()
    httpUrl = `http://127.0.0.1:${port}`
    metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`
    gateway = spawn(
      process.execPath,
      [
        MAIN,
        ...['--issuer', authority.issuer, '--audience', authority.issuer, '--upstream', upstream.url],
        ...['--port', String(port), '--metrics-port', String(metricsPort), '--mqtt-port', String(mqttPort)],
        ...['--allow-insecure-http', '--clock-tolerance', '0', '--log-level', 'info'],
        ...[
          '--revocations-url',
          `${authority.url}/revocations`,
          '--revocations-interval',
          String(POLL_SECONDS),
        ],
        // The authority's clock is set back in one test, so its snapshots' iat lags; allow for it.
        ...['--revocations-max-staleness', '120'],
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '' } },
    )
    let output = ''
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`gateway did not start:\n${output}`)), 15_000)
      const collect = (chunk: Buffer) => {
        output += chunk.toString()
        if (output.includes(`mqtt://127.0.0.1:${mqttPort}`)) {
          clearTimeout(timer)
          resolve()
        }
      }
      gateway.stdout?.on('data', collect)
      gateway.stderr?.on('data', collect)
      gateway.once('exit', (code) => reject(new Error(`gateway exited (${code}):\n${output}`)))
    })
    // The first snapshot is held before the tests rely on it.
    const deadline = Date.now() + 10_000
    const held = 'tessera_gateway_revocation_stale{policy="closed"} 0'
    while (!(await (await fetch(metricsUrl)).text()).includes(held)) {
      if (Date.now() > deadline) throw new Error('the gateway never held a revocation snapshot')
      await sleep(100)
    }
  })
  afterAll(async () => {
    if (gateway && gateway.exitCode === null) {
      const exited = new Promise((resolve) => gateway.once('exit', resolve))
      gateway.kill('SIGTERM')
      await exited
    }
    await upstream?.close()
    await authority?.close()
    dir.remove()
  })

  it('a device logs in, publishes to its own topic with mosquitto_pub, and is refused another device’s', async () => {
    const monitor = await connect('monitor', await login('monitor'))
    const seen = inbox(monitor)
    expect(await subackCodes(monitor, ['devices/+/telemetry'])).toEqual([0])
    const d1 = await login('d1')
    const pub = (topic: string, message: string) =>
      mosquitto('mosquitto_pub', [
        '-h',
        '127.0.0.1',
        '-p',
        String(mqttPort),
        '-V',
        'mqttv311',
        '-i',
        'd1',
        '-u',
        'd1',
        '-P',
        d1.access_token,
        '-q',
        '1',
        '-t',
        topic,
        '-m',
        message,
      ])
    expect(await pub('devices/d1/telemetry', 'temperature=21')).toMatchObject({ code: 0 })
    // 3.1.1 has no refusal for PUBLISH: acknowledged, dropped, counted.
    expect(await pub('devices/d2/telemetry', 'forged')).toMatchObject({ code: 0 })
    await sleep(300)
    expect(seen).toEqual([{ topic: 'devices/d1/telemetry', payload: 'temperature=21' }])
    const metrics = await (await fetch(metricsUrl)).text()
    expect(metrics).toMatch(/tessera_gateway_mqtt_denied_total\{action="publish"\} [1-9]/)

    // mosquitto_sub on another device's commands: the broker answers SUBACK 0x80.
    const sub = await mosquitto('mosquitto_sub', [
      '-h',
      '127.0.0.1',
      '-p',
      String(mqttPort),
      '-V',
      'mqttv311',
      '-i',
      'd1',
      '-u',
      'd1',
      '-P',
      d1.access_token,
      '-t',
      'devices/d2/commands/#',
      '-C',
      '1',
      '-W',
      '3',
    ])
    expect(sub.output).toContain('All subscription requests were denied')
    // The raw codes, from the mqtt client: own topic granted, another's and $SYS refused.
    const client = await connect('d1', d1)
    expect(await subackCodes(client, ['devices/d1/commands/#', 'devices/d2/commands/#', '$SYS/#'])).toEqual([
      0, 0x80, 0x80,
    ])
    await client.endAsync()
    // A token in the wrong place or for another device: refused at CONNECT.
    expect(await refusedWith(mqttPort, { clientId: 'd2', username: 'd2', password: d1.access_token })).toBe(2)
    const bad = await mosquitto('mosquitto_pub', [
      '-h',
      '127.0.0.1',
      '-p',
      String(mqttPort),
      '-i',
      'd1',
      '-u',
      'd1',
      '-P',
      'not-a-token',
      '-t',
      'devices/d1/telemetry',
      '-m',
      'x',
    ])
    expect(bad.code).not.toBe(0)
    expect(bad.output).toMatch(/bad user name or password/i)
    await monitor.endAsync()
  })

  it('disconnects a device when its 60 s token expires; a fresh token reconnects', async () => {
    // Set the authority's clock back 57 s: the 60 s token it mints has 3 s left in real time.
    authority.setClockOffset(-57_000)
    let tokens: DeviceTokens
    try {
      tokens = await login('d3')
    } finally {
      authority.setClockOffset(0)
    }
    expect(tokens.expires_in).toBe(60)
    const { exp } = claimsOf(tokens.access_token) as { exp: number }
    const client = await connect('d3', tokens, {
      will: { topic: 'devices/d3/status', payload: Buffer.from('offline'), qos: 0, retain: false },
    })
    await closed(client)
    const late = Date.now() - exp * 1000
    expect(late).toBeGreaterThanOrEqual(0)
    expect(late).toBeLessThan(1500)
    expect(
      await refusedWith(mqttPort, { clientId: 'd3', username: 'd3', password: tokens.access_token }),
    ).toBe(4)
    const again = await connect('d3', await login('d3'))
    expect(again.connected).toBe(true)
    await again.endAsync()
  })

  it('disconnects a device within seconds of a kill switch at the authority', async () => {
    const tokens = await login('d4')
    const victim = await connect('d4', tokens)
    const bystander: MqttClient = await connect('d2', await login('d2'))
    const gone = closed(victim)
    const killedAt = Date.now()
    expect((await admin(authority.url, 'POST', '/kill-switch', { device: 'd4' })).status).toBe(200)
    await gone
    // Two poll intervals, plus the authority's one-second snapshot cache.
    expect(Date.now() - killedAt).toBeLessThan(2 * POLL_SECONDS * 1000 + 1500)
    expect(bystander.connected).toBe(true)
    expect(
      await refusedWith(mqttPort, { clientId: 'd4', username: 'd4', password: tokens.access_token }),
    ).toBe(5)
    await bystander.endAsync()
    const metrics = await (await fetch(metricsUrl)).text()
    expect(metrics).toMatch(/tessera_gateway_mqtt_disconnects_total\{reason="revoked"\} [1-9]/)
    expect(metrics).toMatch(/tessera_gateway_mqtt_disconnects_total\{reason="expired"\} [1-9]/)
  })

  it('HTTP: a token revoked at the authority is refused by the running gateway within two poll intervals', async () => {
    const tokens = await login('d1')
    const call = () =>
      fetch(`${httpUrl}/echo`, { headers: { authorization: `Bearer ${tokens.access_token}` } })
    const before = await call()
    expect(before.status).toBe(200)
    await before.body?.cancel()
    expect(await revokeToken(authority.url, fleet, tokens.access_token)).toBe(200)
    const revokedAt = Date.now()
    let refused: Response | undefined
    while (Date.now() - revokedAt < 2 * POLL_SECONDS * 1000 + 1500) {
      const response = await call()
      if (response.status === 401) {
        refused = response
        break
      }
      await response.body?.cancel()
      await sleep(100)
    }
    expect(refused?.status).toBe(401)
    expect(refused?.headers.get('www-authenticate')).toBe(
      `Bearer realm="${authority.issuer}", error="invalid_token", error_description="token revoked"`,
    )
    expect(await refused?.json()).toEqual({ error: 'invalid_token', error_description: 'token revoked' })
  })
})
