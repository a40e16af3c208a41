import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from 'jose'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { basic, freePort } from '../test/helpers/authority.js'
import { buildServer } from '../test/helpers/authority-process.js'
import { assertion, type Credentials, deviceKey, type Json, JWT_BEARER } from '../test/helpers/devices.js'
import { createDatabase } from '../test/helpers/postgres.js'
import { exited, type Instance, startHaproxy, startInstance, waitReady } from './processes.js'

const ADMIN_TOKEN = randomBytes(32).toString('base64url')
const LOAD_MS = Number(process.env.CLUSTER_LOAD_MS ?? 10_000)
const CLIENT_WORKERS = 4
const DEVICES = 6

interface Outcome {
  kind: 'client_credentials' | 'device_login' | 'refresh'
  status: number
  body: Json
}

/** A token request; a body that is not JSON (a balancer's error page) is kept as text. */
async function token(base: string, client: Credentials, params: Record<string, string>) {
  const response = await fetch(`${base}/oauth/token`, {
    method: 'POST',
    headers: {
      authorization: basic(client.client_id, client.client_secret),
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams(params),
  })
  const text = await response.text()
  let body: Json
  try {
    body = JSON.parse(text) as Json
  } catch {
    body = { text: text.slice(0, 200) }
  }
  return { status: response.status, body }
}

async function admin(base: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${ADMIN_TOKEN}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  return { status: response.status, body: (await response.json()) as Json }
}

/** Milliseconds until `check` holds, polled every 25 ms; fails past `timeoutMs`. */
async function within(timeoutMs: number, check: () => Promise<boolean>): Promise<number> {
  const started = Date.now()
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`not seen within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  return Date.now() - started
}

function decodeProtectedKid(jwt: unknown): string | undefined {
  return typeof jwt === 'string' ? (decodeProtectedHeader(jwt).kid as string | undefined) : undefined
}

describe('three authority instances on one PostgreSQL behind haproxy', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-cluster-'))
  const instances: Instance[] = []
  let haproxy: ReturnType<typeof startHaproxy> | undefined
  let base = ''
  let databaseUrl = ''

  beforeAll(async () => {
    // Run from plain `vitest` too (it is in npm test's include): never start a stale build.
    await buildServer()
    databaseUrl = await createDatabase()
    const proxyPort = await freePort()
    base = `http://127.0.0.1:${proxyPort}`
    const shared = {
      TESSERA_ISSUER: base,
      DATABASE_URL: databaseUrl,
      TESSERA_ADMIN_TOKEN: ADMIN_TOKEN,
      TESSERA_MASTER_KEY: randomBytes(32).toString('base64url'),
      TESSERA_KEY_RELOAD_INTERVAL: '0.5',
      // The load is one address and two clients: the per-instance limits are not under test here.
      TESSERA_RATE_LIMIT_CLIENT: '0',
      TESSERA_RATE_LIMIT_ADDRESS: '0',
      TESSERA_DEVICE_FAILURE_LIMIT: '0',
      // A refresh retried by the balancer after its instance went away is reissued, not a replay.
      TESSERA_REFRESH_GRACE_WINDOW: '10',
      TESSERA_LOG_LEVEL: 'warn',
    }
    const ports = [await freePort(), await freePort(), await freePort()]
    for (const [i, port] of ports.entries()) {
      const instance = startInstance(`i${i + 1}`, port, {
        ...shared,
        TESSERA_DATA_DIR: join(dir, `i${i + 1}`),
      })
      instances.push(instance)
      // The first instance creates the keys; the others find them.
      await waitReady(`http://127.0.0.1:${port}/readyz`, instance.child)
    }
    haproxy = startHaproxy(dir, proxyPort, ports)
    await waitReady(`${base}/readyz`, haproxy)
  })

  afterAll(async () => {
    for (const instance of instances) if (instance.child.exitCode === null) instance.child.kill('SIGKILL')
    haproxy?.kill('SIGTERM')
    rmSync(dir, { recursive: true, force: true })
  })

  it('loses nothing under load while keys rotate and an instance is stopped mid-load', {
    timeout: 120_000,
  }, async () => {
    const client = (await admin(base, 'POST', '/oauth/register', { client_name: 'load', scope: 'read' }))
      .body as Credentials
    const fleet = (
      await admin(base, 'POST', '/oauth/register', {
        client_name: 'fleet',
        grant_types: ['urn:ietf:params:oauth:grant-type:jwt-bearer', 'refresh_token'],
      })
    ).body as Credentials
    expect(client.client_id).toBeTruthy()
    expect(fleet.client_id).toBeTruthy()

    const outcomes: Outcome[] = []
    const stopAt = Date.now() + LOAD_MS
    const clientWorker = async () => {
      while (Date.now() < stopAt) {
        const response = await token(base, client, { grant_type: 'client_credentials', scope: 'read' })
        outcomes.push({ kind: 'client_credentials', status: response.status, body: response.body })
      }
    }
    const deviceWorker = async () => {
      const key = await deviceKey()
      const device = await admin(base, 'POST', '/admin/devices', {
        jwk: key.jwk,
        acl: { publish: ['devices/{device}/telemetry'], subscribe: [] },
      })
      expect(device.status).toBe(201)
      const first = await token(base, fleet, {
        grant_type: JWT_BEARER,
        assertion: await assertion(key, device.body.id, base),
      })
      outcomes.push({ kind: 'device_login', status: first.status, body: first.body })
      let current = first.body.refresh_token as string | undefined
      while (current && Date.now() < stopAt) {
        const next = await token(base, fleet, { grant_type: 'refresh_token', refresh_token: current })
        outcomes.push({ kind: 'refresh', status: next.status, body: next.body })
        current = next.status === 200 ? (next.body.refresh_token as string) : undefined
      }
    }

    const stopped = instances[1] as Instance
    const events = (async () => {
      await new Promise((resolve) => setTimeout(resolve, LOAD_MS * 0.25))
      const first = await admin(base, 'POST', '/admin/keys/rotate')
      await new Promise((resolve) => setTimeout(resolve, LOAD_MS * 0.25))
      // Requests straight to the instance (not through the balancer) while it is told to stop: each
      // must get its answer or a clean refusal, never a 5xx other than a 503 or a reset. Ten are sent
      // 150 ms before the signal (in flight or done: some are answered 200), ten 20 ms before it (in
      // the accept queue or unread when it comes, under load).
      const direct = `http://127.0.0.1:${stopped.port}`
      const send = () =>
        token(direct, client, { grant_type: 'client_credentials', scope: 'read' }).catch((error: Error) => ({
          status: 0,
          body: {
            error: String((error.cause as { code?: string } | undefined)?.code ?? error.message),
          } as Json,
        }))
      const inFlight = Array.from({ length: 10 }, send)
      await new Promise((resolve) => setTimeout(resolve, 130))
      inFlight.push(...Array.from({ length: 10 }, send))
      await new Promise((resolve) => setTimeout(resolve, 20))
      stopped.child.kill('SIGTERM')
      const answered = await Promise.all(inFlight)
      const code = await exited(stopped.child)
      await new Promise((resolve) => setTimeout(resolve, LOAD_MS * 0.15))
      const second = await admin(base, 'POST', '/admin/keys/rotate')
      return { rotations: [first.status, second.status], exitCode: code, answered }
    })()
    const workers = [
      ...Array.from({ length: CLIENT_WORKERS }, clientWorker),
      ...Array.from({ length: DEVICES }, deviceWorker),
    ]
    await Promise.all(workers)
    const { rotations, exitCode, answered } = await events

    // The stopped instance's in-flight requests: answered (200), refused cleanly while draining (503
    // with an OAuth error body), or never connected (ECONNREFUSED) — never a 500 and never a reset.
    const unclean = answered.filter(
      (outcome) =>
        outcome.status !== 200 &&
        !(outcome.status === 503 && typeof outcome.body.error === 'string') &&
        !(outcome.status === 0 && outcome.body.error === 'ECONNREFUSED'),
    )
    expect(unclean).toEqual([])
    expect(answered.filter((outcome) => outcome.status === 200).length).toBeGreaterThan(0)
    for (const outcome of answered) {
      if (outcome.status === 200)
        outcomes.push({ kind: 'client_credentials', status: 200, body: outcome.body })
    }

    // The stopped instance drained and exited cleanly; both rotations applied.
    expect(exitCode).toBe(0)
    expect(rotations).toEqual([200, 200])

    // Every request through the balancer got an answer, and never a 5xx.
    const statuses = new Map<number, number>()
    for (const outcome of outcomes) statuses.set(outcome.status, (statuses.get(outcome.status) ?? 0) + 1)
    const refusals = outcomes.filter((outcome) => outcome.status !== 200)
    expect(refusals.slice(0, 5)).toEqual([])
    expect(Object.fromEntries(statuses)).toEqual({ 200: outcomes.length })
    expect(outcomes.filter((o) => o.kind === 'device_login')).toHaveLength(DEVICES)
    expect(outcomes.filter((o) => o.kind === 'refresh').length).toBeGreaterThan(DEVICES)

    // Zero failed verifications: every issued token verifies against the published key set.
    const jwks = (await (await fetch(`${base}/.well-known/jwks.json`)).json()) as JSONWebKeySet
    const keySet = createLocalJWKSet(jwks)
    const failures: string[] = []
    const kids = new Set<string>()
    for (const outcome of outcomes) {
      try {
        const { protectedHeader } = await jwtVerify(outcome.body.access_token as string, keySet, {
          issuer: base,
          algorithms: ['ES256'],
          typ: 'at+jwt',
        })
        kids.add(protectedHeader.kid as string)
      } catch (error) {
        failures.push((error as Error).message)
      }
    }
    expect(failures).toEqual([])
    expect(kids.size).toBe(3)

    // Let the surviving instances flush their audit queues (every second).
    await new Promise((resolve) => setTimeout(resolve, 1500))
    const db = new pg.Client({ connectionString: databaseUrl })
    await db.connect()
    try {
      // Every issued token has its audit event, including those the stopped instance issued.
      const audited = await db.query<{ detail: string }>(
        "SELECT detail FROM audit_log WHERE event = 'token.issued'",
      )
      const auditedJtis = new Set(audited.rows.map((row) => (JSON.parse(row.detail) as { jti: string }).jti))
      const missing = outcomes
        .map((o) => decodeJwt(o.body.access_token as string).jti)
        .filter((jti) => !auditedJtis.has(jti as string))
      expect(missing).toEqual([])
      // No forked refresh family: none revoked, no reuse detected, one live token per family.
      const families = await db.query('SELECT id FROM refresh_families WHERE revoked_at IS NULL')
      expect(families.rows).toHaveLength(DEVICES)
      const forked = await db.query(
        'SELECT family_id FROM refresh_tokens WHERE consumed_at IS NULL GROUP BY family_id HAVING count(*) > 1',
      )
      expect(forked.rows).toEqual([])
      const reuse = await db.query(
        "SELECT count(*)::int AS n FROM audit_log WHERE event = 'refresh_token_reuse'",
      )
      expect(reuse.rows[0]).toEqual({ n: 0 })
      // The other events of the load: each device login, each answered refresh, both rotations.
      const counts = await db.query<{ event: string; n: number }>(
        "SELECT event, count(*)::int AS n FROM audit_log WHERE event IN ('device.login', 'refresh_token.rotated', 'key.rotated') GROUP BY event",
      )
      expect(Object.fromEntries(counts.rows.map((row) => [row.event, row.n]))).toEqual({
        'device.login': DEVICES,
        'refresh_token.rotated': outcomes.filter((o) => o.kind === 'refresh').length,
        'key.rotated': 2,
      })
    } finally {
      await db.end()
    }

    // How fast a change made on one instance reaches another (README, "Running more than one
    // instance"): a disabled client, then a revoked key, each watched from another instance.
    const [first, , third] = instances as [Instance, Instance, Instance]
    const on = (instance: Instance) => `http://127.0.0.1:${instance.port}`
    // The worst case: the watching instance has just cached the client.
    const warm = await token(on(third), client, { grant_type: 'client_credentials', scope: 'read' })
    expect(warm.status).toBe(200)
    const disabled = await admin(on(first), 'POST', `/admin/clients/${client.client_id}/disable`)
    expect(disabled.status).toBe(200)
    const clientLag = await within(10_000, async () => {
      const answer = await token(on(third), client, { grant_type: 'client_credentials', scope: 'read' })
      return answer.status === 401
    })
    const oldest = [...kids].find((kid) => kid !== decodeProtectedKid(outcomes.at(-1)?.body.access_token))
    const revoked = await admin(on(first), 'POST', `/admin/keys/${oldest}/revoke`)
    expect(revoked.status).toBe(200)
    const keyLag = await within(5000, async () => {
      const set = (await (await fetch(`${on(third)}/.well-known/jwks.json`)).json()) as JSONWebKeySet
      return !set.keys.some((key) => key.kid === oldest)
    })
    // The client cache lives 5 s; keys reload every TESSERA_KEY_RELOAD_INTERVAL (0.5 s here).
    // Slack for a loaded machine: each poll is a real request.
    expect(clientLag).toBeLessThan(7000)
    expect(keyLag).toBeLessThan(2500)
    process.stderr.write(
      `cluster: ${outcomes.length} token responses in ${LOAD_MS} ms (${[...statuses].map(([s, n]) => `${n}×${s}`).join(', ')}), ${kids.size} signing keys; the stopped instance's direct requests: ${answered.map((outcome) => outcome.status || outcome.body.error).join(' ')}; a disabled client reached another instance in ${clientLag} ms, a revoked key in ${keyLag} ms\n`,
    )
  })
})
