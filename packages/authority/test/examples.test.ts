import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { exportJWK, generateKeyPair } from 'jose'
import mqtt from 'mqtt'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  basic,
  freePort,
  type RunningAuthority,
  registerClient,
  startAuthority,
  tempDir,
} from './helpers/authority.js'
import { admin, assertion, deviceKey, JWT_BEARER } from './helpers/devices.js'
import { pathOf, visitAuthorization } from './helpers/oidc.js'
import { type SmtpCapture, startSmtpCapture } from './helpers/smtp-capture.js'
import { WebClient } from './helpers/web-client.js'

// The programs in examples/ run as a user runs them (`node examples/x.mjs`, importing the built
// packages by name) against a real authority, a real SMTP capture and the real tessera-gateway MQTT
// broker on loopback, so the examples stay true.
const ROOT = fileURLToPath(new URL('../../../', import.meta.url))
const example = (name: string) => join(ROOT, 'examples', name)
const GATEWAY = join(ROOT, 'packages/gateway/dist/cli/main.js')
const run = promisify(execFile)

const dir = tempDir()
let smtp: SmtpCapture
let running: RunningAuthority
const children: ChildProcess[] = []

/** Starts a long-running program and resolves once its output contains `ready`. */
function start(args: string[], env: Record<string, string>, ready: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.push(child)
  let output = ''
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${args[0]} did not start:\n${output}`)), 15_000)
    const collect = (chunk: Buffer) => {
      output += chunk.toString()
      if (output.includes(ready)) {
        clearTimeout(timer)
        resolve(child)
      }
    }
    child.stdout?.on('data', collect)
    child.stderr?.on('data', collect)
    child.once('exit', (code) => reject(new Error(`${args[0]} exited (${code}):\n${output}`)))
  })
}

beforeAll(async () => {
  smtp = await startSmtpCapture()
  running = await startAuthority({
    dataDir: dir.path,
    smtpUrl: smtp.url,
    rateLimitPerAddress: 0,
    rateLimitPerClient: 0,
  })
})

afterAll(async () => {
  for (const child of children) {
    if (child.exitCode !== null || child.signalCode !== null) continue
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGTERM')
    await exited
  }
  await running?.close()
  await smtp?.close()
  dir.remove()
})

describe('examples/', () => {
  it('health-record.mjs: a nested JWT the records service decrypts and verifies', async () => {
    const { stdout } = await run(process.execPath, [example('health-record.mjs')], { cwd: ROOT })
    expect(stdout.trim().split('\n')).toEqual([
      'outer header: ECDH-ES+A256KW A256GCM cty=JWT',
      'signed by clinic-2026: patient p-1729, allergies penicillin',
    ])
  })

  it('resource-server.mjs: 200 for a token with the scope, RFC 6750 answers otherwise', async () => {
    const audience = 'https://api.example/orders'
    const port = await freePort()
    const api = `http://127.0.0.1:${port}`
    await start(
      [example('resource-server.mjs')],
      { ISSUER: running.url, AUDIENCE: audience, PORT: String(port) },
      'listening',
    )
    const client = await registerClient(running.url, {
      scope: 'orders:read orders:write',
      resources: [audience],
    })
    const token = async (scope: string) => {
      const response = await fetch(`${running.url}/oauth/token`, {
        method: 'POST',
        headers: { authorization: basic(client.client_id, client.client_secret) },
        body: new URLSearchParams({ grant_type: 'client_credentials', scope, resource: audience }),
      })
      const body = (await response.json()) as { access_token: string }
      if (response.status !== 200) throw new Error(`token refused: ${JSON.stringify(body)}`)
      return body.access_token
    }
    const call = (bearer?: string) =>
      fetch(`${api}/orders`, bearer ? { headers: { authorization: `Bearer ${bearer}` } } : {})

    const ok = await call(await token('orders:read'))
    expect(ok.status, ok.headers.get('www-authenticate') ?? '').toBe(200)
    expect(await ok.json()).toEqual({ client: client.client_id, orders: [{ id: 7, total: 42 }] })

    const none = await call()
    expect(none.status).toBe(401)
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer realm="https:\/\/api.example\/orders"$/)

    const narrow = await call(await token('orders:write'))
    expect(narrow.status).toBe(403)
    expect(narrow.headers.get('www-authenticate')).toContain('error="insufficient_scope"')

    const forged = await call(`${(await token('orders:read')).slice(0, -4)}AAAA`)
    expect(forged.status).toBe(401)
    expect(forged.headers.get('www-authenticate')).toContain('error="invalid_token"')
  })

  it('web-app.mjs: signs a person in with openid-client and shows their email', async () => {
    const port = await freePort()
    const app = `http://127.0.0.1:${port}`
    const registered = await registerClient(running.url, {
      client_name: 'Example web app',
      scope: undefined,
      grant_types: ['authorization_code'],
      redirect_uris: [`${app}/callback`],
      tessera_first_party: true,
    })
    await start(
      [example('web-app.mjs')],
      {
        ISSUER: running.url,
        CLIENT_ID: registered.client_id,
        CLIENT_SECRET: registered.client_secret,
        PORT: String(port),
      },
      'listening',
    )
    const browserAtApp = new WebClient(app)
    expect((await browserAtApp.get('/')).text).toBe('Signed out: open /login')
    const login = await browserAtApp.get('/login')
    expect(login.status).toBe(302)
    const authorize = new URL(login.headers.get('location') ?? '')
    expect(`${authorize.origin}${authorize.pathname}`).toBe(`${running.url}/oauth/authorize`)
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256')

    const browserAtAuthority = new WebClient(running.url)
    const answer = await visitAuthorization(browserAtAuthority, smtp, authorize, 'reader@example.com')
    expect(answer.status).toBe(302)
    const callback = new URL(answer.headers.get('location') ?? '')
    expect(callback.origin).toBe(app)
    const done = await browserAtApp.get(pathOf(callback))
    expect(done.status, done.text).toBe(303)
    expect((await browserAtApp.get('/')).text).toBe('Signed in as reader@example.com')

    // The same callback again: the code is used up and the sign-in attempt is gone.
    expect((await browserAtApp.get(pathOf(callback))).status).toBe(400)
  })

  it('device-mqtt.mjs: a device logs in with its key and publishes over MQTT through the gateway', async () => {
    const fleet = await registerClient(running.url, {
      client_name: 'thermometers',
      scope: undefined,
      token_endpoint_auth_method: 'none',
      grant_types: [JWT_BEARER],
    })
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true })
    const device = await admin(running.url, 'POST', '/devices', {
      id: 'thermo-7',
      jwk: await exportJWK(publicKey),
      acl: { publish: ['devices/{device}/telemetry'], subscribe: [] },
    })
    expect(device.status).toBe(201)
    const keyFile = join(dir.path, 'thermo-7.json')
    writeFileSync(keyFile, JSON.stringify({ ...(await exportJWK(privateKey)), alg: 'ES256' }), {
      mode: 0o600,
    })

    const [port, mqttPort] = [await freePort(), await freePort()]
    await start(
      [
        GATEWAY,
        ...['--issuer', running.url, '--audience', running.url, '--upstream', running.url],
        ...['--port', String(port), '--mqtt-port', String(mqttPort), '--allow-insecure-http'],
      ],
      {},
      `mqtt://127.0.0.1:${mqttPort}`,
    )

    // A monitor device subscribed to every thermometer's telemetry sees the example's reading.
    const monitorKey = await deviceKey()
    await admin(running.url, 'POST', '/devices', {
      id: 'monitor',
      jwk: monitorKey.jwk,
      acl: { publish: [], subscribe: ['devices/+/telemetry'] },
    })
    const login = await fetch(`${running.url}/oauth/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: JWT_BEARER,
        client_id: fleet.client_id,
        assertion: await assertion(monitorKey, 'monitor', running.url),
      }),
    })
    const { access_token } = (await login.json()) as { access_token: string }
    const monitor = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, {
      protocolVersion: 4,
      clientId: 'monitor',
      username: 'monitor',
      password: access_token,
      reconnectPeriod: 0,
    })
    await monitor.subscribeAsync('devices/+/telemetry', { qos: 1 })
    const received = new Promise<[string, string]>((resolve) =>
      monitor.once('message', (topic, payload) => resolve([topic, payload.toString()])),
    )

    const { stdout } = await run(process.execPath, [example('device-mqtt.mjs')], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        ISSUER: running.url,
        FLEET_CLIENT_ID: fleet.client_id,
        DEVICE_ID: 'thermo-7',
        DEVICE_KEY: keyFile,
        MQTT_URL: `mqtt://127.0.0.1:${mqttPort}`,
      },
    })
    expect(stdout.trim()).toBe('published to devices/thermo-7/telemetry')
    expect(await received).toEqual(['devices/thermo-7/telemetry', '{"temperature":21.5}'])
    await monitor.endAsync()
  })
})
