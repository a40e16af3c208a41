import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { decodeProtectedHeader } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BIN, baseEnv, buildCli, STACK_FRAME, tessera, workDir } from './helpers/cli.js'
import { freePort, type Served, serve } from './helpers/serve.js'
import { signInByCode } from './helpers/sign-in.js'

// `tessera serve` starts the real authority; `tessera admin` drives it over its admin API; every result
// is checked over the authority's own endpoints (token, JWKS, introspection), not through the CLI.
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer'
const work = workDir()
const dataDir = join(work.path, 'data')
let server: Served
// biome-ignore lint/suspicious/noExplicitAny: JSON answers, read by the assertions.
type Json = Record<string, any>

const admin = async (args: string[]) => {
  const run = await tessera(['admin', '--data-dir', dataDir, ...args], {
    env: { TESSERA_URL: server.url },
    cwd: work.path,
  })
  expect(run.stderr).not.toMatch(STACK_FRAME)
  return run
}
const adminJSON = async (args: string[]): Promise<Json> => {
  const run = await admin([...args, '--json'])
  expect(run, run.stderr).toMatchObject({ code: 0 })
  return JSON.parse(run.stdout) as Json
}

async function post(path: string, form: Record<string, string>, client?: { id: string; secret: string }) {
  const response = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(client
        ? { authorization: `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}` }
        : {}),
    },
    body: new URLSearchParams(form),
  })
  return { status: response.status, body: (await response.json()) as Json }
}
const jwksKids = async () =>
  (
    (await (await fetch(`${server.url}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] }
  ).keys.map((key) => key.kid)

beforeAll(async () => {
  buildCli()
  // No admin token in the environment: the authority generates <dataDir>/admin-token, the CLI reads it.
  server = await serve({ TESSERA_DATA_DIR: dataDir })
}, 120_000)
afterAll(async () => {
  await server?.stop()
  work.remove()
})

describe('tessera serve', () => {
  it('runs the authority with npm start settings: banner, admin token file 0600', () => {
    expect(server.output()).toContain(`issuer:   ${server.url}`)
    expect(server.output()).toContain(`JWKS:     ${server.url}/.well-known/jwks.json`)
    expect(readFileSync(join(dataDir, 'admin-token'), 'utf8').trim()).toMatch(/^[\w-]{43}$/)
  })
})

describe('tessera admin against a running authority', () => {
  let service: { id: string; secret: string }

  it('clients create registers a client that gets tokens from the token endpoint; disable stops it', async () => {
    const created = await adminJSON(['clients', 'create', '--name', 'billing', '--scope', 'read write'])
    service = { id: created.client_id, secret: created.client_secret }
    expect(service.secret).toEqual(expect.any(String))
    const token = await post('/oauth/token', { grant_type: 'client_credentials', scope: 'read' }, service)
    expect(token.status).toBe(200)

    const human = await admin(['clients', 'list'])
    expect(human.stdout).toMatch(new RegExp(`${service.id}\\s+billing\\s+active`))

    const extra = await adminJSON(['clients', 'create', '--name', 'to-disable'])
    await adminJSON(['clients', 'disable', extra.client_id])
    const refused = await post(
      '/oauth/token',
      { grant_type: 'client_credentials' },
      { id: extra.client_id, secret: extra.client_secret },
    )
    expect(refused).toMatchObject({ status: 401, body: { error: 'invalid_client' } })
    const listed = await adminJSON(['clients', 'list'])
    expect(listed.find((client: Json) => client.client_id === extra.client_id)).toMatchObject({
      disabled: true,
    })
  })

  it('keys rotate makes a new key sign; keys revoke takes the old one out of the JWKS at once', async () => {
    const before = await adminJSON(['keys', 'list'])
    const oldKid = before.find((key: Json) => key.state === 'current').kid as string
    expect(await jwksKids()).toContain(oldKid)

    const rotated = await adminJSON(['keys', 'rotate'])
    expect(rotated.signing_kid).not.toBe(oldKid)
    const token = await post('/oauth/token', { grant_type: 'client_credentials' }, service)
    expect(decodeProtectedHeader(token.body.access_token).kid).toBe(rotated.signing_kid)

    const revoked = await admin(['keys', 'revoke', oldKid])
    expect(revoked.code).toBe(0)
    expect(revoked.stdout).toContain(`revoked ${oldKid}`)
    const kids = await jwksKids()
    expect(kids).not.toContain(oldKid)
    expect(kids).toContain(rotated.signing_kid)
    const states = await adminJSON(['keys', 'list'])
    expect(states.find((key: Json) => key.kid === oldKid).state).toBe('revoked')

    const again = await admin(['keys', 'revoke', oldKid])
    expect(again.code).toBe(1)
    expect(again.stderr.trim()).toBe(
      `tessera: POST /admin/keys/${oldKid}/revoke: HTTP 404 not_found: no such key, or it is already revoked`,
    )
  })

  it("devices add, login with a key from keys generate, kill-switch kills the device's tokens", async () => {
    const fleet = await adminJSON(['clients', 'create', '--name', 'fleet', '--grant-type', JWT_BEARER])
    const fleetClient = { id: fleet.client_id as string, secret: fleet.client_secret as string }
    expect(
      (await tessera(['keys', 'generate', '--alg', 'ES256', '--out', join(work.path, 'sensor.json')])).code,
    ).toBe(0)
    // The private JWK is given on purpose: the CLI must send only its public members.
    const device = await adminJSON([
      'devices',
      'add',
      '--jwk',
      join(work.path, 'sensor.json'),
      '--id',
      'sensor-1',
      '--publish',
      'devices/{device}/telemetry',
      '--subscribe',
      'devices/{device}/commands/#',
    ])
    expect(device).toMatchObject({
      id: 'sensor-1',
      status: 'active',
      acl: { publish: ['devices/{device}/telemetry'] },
    })
    expect(device.jwk.d).toBeUndefined()

    const login = async () => {
      const assertion = await tessera([
        'jwt',
        'sign',
        '--key',
        join(work.path, 'sensor.json'),
        '--iss',
        'sensor-1',
        '--sub',
        'sensor-1',
        '--aud',
        server.url,
        '--exp',
        '2m',
        '--jti',
      ])
      return post('/oauth/token', { grant_type: JWT_BEARER, assertion: assertion.stdout.trim() }, fleetClient)
    }
    const tokens = await login()
    expect(tokens.status).toBe(200)

    await adminJSON(['devices', 'disable', 'sensor-1'])
    expect((await login()).status).toBe(400)
    await adminJSON(['devices', 'enable', 'sensor-1'])
    const fresh = await login()
    expect(fresh.status).toBe(200)
    expect(
      (await post('/oauth/introspect', { token: fresh.body.access_token }, fleetClient)).body.active,
    ).toBe(true)

    // The kill covers tokens issued before it, and those issued within the same second.
    const killed = await adminJSON(['kill-switch', '--device', 'sensor-1'])
    expect(killed).toMatchObject({ kind: 'device', value: 'sensor-1' })
    expect(killed.refresh_families_revoked).toBeGreaterThanOrEqual(1)
    expect(
      (await post('/oauth/introspect', { token: fresh.body.access_token }, fleetClient)).body.active,
    ).toBe(false)
    const refreshed = await post(
      '/oauth/token',
      { grant_type: 'refresh_token', refresh_token: fresh.body.refresh_token },
      fleetClient,
    )
    expect(refreshed).toMatchObject({ status: 400, body: { error: 'invalid_grant' } })

    const listed = await admin(['devices', 'list'])
    expect(listed.stdout).toMatch(/sensor-1\s+active\s+ES256\s+devices\/\{device\}\/telemetry/)
    expect((await admin(['devices', 'delete', 'sensor-1'])).stdout.trim()).toBe('deleted sensor-1')
    expect(await adminJSON(['devices', 'list'])).toEqual([])
  })

  it('audit tail shows what was done, oldest first', async () => {
    const events = await adminJSON(['audit', 'tail', '-n', '100'])
    const names = events.map((event: Json) => event.event)
    expect(names).toEqual(
      expect.arrayContaining([
        'client.registered',
        'client.disabled',
        'key.revoked',
        'kill_switch',
        'device.deleted',
      ]),
    )
    expect(names.indexOf('client.registered')).toBeLessThan(names.indexOf('kill_switch'))
    const human = await admin(['audit', 'tail', '-n', '1'])
    expect(human.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(/^\d{4}-\d\d-\d\dT\S+Z {2}device\.deleted {2}sensor-1 /),
    ])
  })

  it('audit tail --follow prints new events as they happen', async () => {
    const follower = spawn(
      process.execPath,
      [BIN, 'admin', '--data-dir', dataDir, 'audit', 'tail', '-n', '1', '--follow', '--interval', '0.2'],
      {
        env: baseEnv({ TESSERA_URL: server.url }),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    let output = ''
    follower.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')))
    try {
      await expect.poll(() => output.split('\n').length, { timeout: 20_000 }).toBeGreaterThan(1)
      const created = await adminJSON(['clients', 'create', '--name', 'followed'])
      await expect
        .poll(() => output, { timeout: 20_000, interval: 200 })
        .toMatch(new RegExp(`  client\\.registered  ${created.client_id}  `))
    } finally {
      follower.kill('SIGTERM')
    }
  })

  it('a wrong admin token is refused (exit 1); a missing one is a usage error (exit 2)', async () => {
    const wrong = await tessera(['admin', 'keys', 'list'], {
      env: { TESSERA_URL: server.url, TESSERA_ADMIN_TOKEN: 'not-the-admin-token-but-long-enough-000000' },
    })
    expect(wrong.code).toBe(1)
    expect(wrong.stderr.trim()).toBe(
      'tessera: GET /admin/keys: HTTP 401 invalid_token: a valid admin bearer token is required',
    )
    const missing = await tessera(['admin', '--data-dir', join(work.path, 'nowhere'), 'keys', 'list'], {
      env: { TESSERA_URL: server.url },
    })
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/^tessera: no admin token: set TESSERA_ADMIN_TOKEN/)
  })

  it('the admin token never goes over plain http beyond this machine (exit 2, nothing sent)', async () => {
    const run = await tessera(['admin', '--url', 'http://auth.example', 'keys', 'list'], {
      env: { TESSERA_ADMIN_TOKEN: 'x'.repeat(40) },
    })
    expect(run).toMatchObject({
      code: 2,
      stderr: 'tessera: --url: must be an https URL (http only for localhost): http://auth.example/\n',
    })
  })

  it('an authority that is not there: exit 3, one line', async () => {
    const port = await freePort()
    const run = await tessera(['admin', 'keys', 'list'], {
      env: { TESSERA_URL: `http://127.0.0.1:${port}`, TESSERA_ADMIN_TOKEN: 'x'.repeat(40) },
    })
    expect(run.code).toBe(3)
    expect(run.stderr).toBe(`tessera: cannot reach http://127.0.0.1:${port}: ECONNREFUSED\n`)
  })

  it('users list finds who signed in; disable, enable and delete show over the admin API itself', async () => {
    await signInByCode(server.url, dataDir, 'Ada@Example.com')
    const page = await adminJSON(['users', 'list', '--email', 'ada@'])
    expect(page).toMatchObject({
      users: [{ email: 'ada@example.com', email_verified: true, status: 'active' }],
      next: null,
    })
    const id = page.users[0].id as string
    expect((await admin(['users', 'list'])).stdout).toMatch(new RegExp(`${id}\\s+ada@example.com\\s+active`))
    const token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim()
    const direct = async (method = 'GET') => {
      const response = await fetch(`${server.url}/admin/users/${id}`, {
        method,
        headers: { authorization: `Bearer ${token}` },
      })
      return {
        status: response.status,
        body: response.status === 200 ? ((await response.json()) as Json) : {},
      }
    }
    expect((await direct()).body).toMatchObject({ status: 'active', sessions: 1 })

    const disabled = await admin(['users', 'disable', id])
    expect(disabled.stdout.trim()).toMatch(
      new RegExp(`^disabled ${id} \\(ada@example.com\\): 1 sessions ended, \\d+ refresh families revoked$`),
    )
    expect((await direct()).body).toMatchObject({ status: 'disabled', sessions: 0 })
    expect(await adminJSON(['users', 'enable', id])).toMatchObject({ id, status: 'active' })
    expect((await direct()).body).toMatchObject({ status: 'active' })

    expect((await admin(['users', 'delete', id])).stdout.trim()).toBe(`deleted ${id}`)
    expect((await direct()).status).toBe(404)
    const again = await admin(['users', 'delete', id])
    expect(again.code).toBe(1)
    expect(again.stderr.trim()).toBe(`tessera: DELETE /admin/users/${id}: HTTP 404 not_found: no such user`)
    const bad = await admin(['users', 'list', '--limit', 'many'])
    expect(bad).toMatchObject({ code: 2, stderr: 'tessera: --limit must be a whole number from 1 to 100\n' })
  })

  it('tessera gateway, with the same settings as tessera-gateway, verifies the authority tokens', async () => {
    const seen: Record<string, string | string[] | undefined>[] = []
    const upstream = createServer((request, response) => {
      seen.push(request.headers)
      response.end('from upstream')
    })
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve))
    const upstreamPort = (upstream.address() as AddressInfo).port
    const port = await freePort()
    // One flag as a TESSERA_GATEWAY_* variable: the command reads the gateway's own settings table.
    const gateway = spawn(
      process.execPath,
      [
        ...[BIN, 'gateway', '--issuer', server.url, '--audience', server.url],
        ...['--port', String(port), '--allow-insecure-http', '--typ', 'at+jwt'],
      ],
      {
        env: baseEnv({ TESSERA_GATEWAY_UPSTREAM: `http://127.0.0.1:${upstreamPort}` }),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    let output = ''
    gateway.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')))
    gateway.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')))
    try {
      await expect.poll(() => output, { timeout: 30_000, interval: 100 }).toContain('listening on')
      const url = `http://127.0.0.1:${port}/orders`
      const refused = await fetch(url)
      expect(refused.status).toBe(401)
      expect(refused.headers.get('www-authenticate')).toBe(`Bearer realm="${server.url}"`)
      const issued = await post('/oauth/token', { grant_type: 'client_credentials' }, service)
      const passed = await fetch(url, { headers: { authorization: `Bearer ${issued.body.access_token}` } })
      expect(passed.status).toBe(200)
      expect(await passed.text()).toBe('from upstream')
      expect(seen.at(-1)?.['x-tessera-client-id']).toBe(service.id)
    } finally {
      const exited = new Promise((resolve) => gateway.once('exit', resolve))
      gateway.kill('SIGTERM')
      expect(await exited).toBe(0)
      upstream.close()
    }
    const missing = await tessera(['gateway', '--audience', 'x', '--upstream', 'http://127.0.0.1:9'])
    expect(missing).toMatchObject({
      code: 2,
      stderr: 'tessera: gateway: --issuer / TESSERA_GATEWAY_ISSUER: is required\n',
    })
  })

  it('tessera serve stops cleanly on SIGTERM', async () => {
    expect(await server.stop()).toBe(0)
  })
})
