import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import autocannon, { type Result } from 'autocannon'

/**
 * `npm run bench:authority`: Tessera (metrics on, as it ships, and metrics off), node-oidc-provider and
 * the machine's floor (floor-server.ts: bare node:http answering a fixed JWKS, or a freshly ES256-signed
 * JWT), each in its own process on 127.0.0.1, driven in turn by autocannon from this process, for
 * client_credentials tokens, introspection and the JWKS. Prints requests/s and p50/p99 latency, the
 * ratio to oidc-provider and to the floor, and writes bench-results/authority.json.
 */
const DURATION = Number(process.env.BENCH_DURATION ?? 10)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50)
/** Interleaved rounds per scenario; each server's figure is its median round. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url))
const FORM = 'application/x-www-form-urlencoded'

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
    })
  })
}

/** Every server started, so a failure anywhere still stops them all. */
const children: ChildProcess[] = []

function startServer(script: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, [script, ...args], { env, stdio: ['ignore', 'ignore', 'inherit'] })
  children.push(child)
  return child
}

async function waitFor(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 20_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${url}: the server exited with ${child.exitCode}`)
    try {
      if ((await fetch(url)).ok) return
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`${url} did not come up`)
}

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`

interface Target {
  name: string
  token: { url: string; headers: Record<string, string>; body: string }
  introspection: { url: string; headers: Record<string, string>; body: string }
  jwks: string
}

async function startTessera(
  dataDir: string,
  name: string,
  env: NodeJS.ProcessEnv = {},
): Promise<{ target: Target; child: ChildProcess }> {
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  const adminToken = randomBytes(24).toString('base64url')
  const child = startServer(here('../../dist/main.js'), [], {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    TESSERA_ISSUER: base,
    TESSERA_DATA_DIR: dataDir,
    TESSERA_ADMIN_TOKEN: adminToken,
    TESSERA_MASTER_KEY: randomBytes(32).toString('base64url'),
    // The benchmark measures throughput, so neither limit nor per-request logs may interfere.
    TESSERA_RATE_LIMIT_CLIENT: '0',
    TESSERA_RATE_LIMIT_ADDRESS: '0',
    TESSERA_LOG_LEVEL: 'warn',
    ...env,
  })
  await waitFor(`${base}/.well-known/jwks.json`, child)
  const registered = await fetch(`${base}/oauth/register`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ client_name: 'bench', scope: 'read', resources: ['https://api.example'] }),
  })
  const client = (await registered.json()) as { client_id: string; client_secret: string }
  const auth = basic(client.client_id, client.client_secret)
  const tokenBody = 'grant_type=client_credentials&scope=read&resource=https%3A%2F%2Fapi.example'
  const token = await fetch(`${base}/oauth/token`, {
    method: 'POST',
    headers: { authorization: auth, 'content-type': FORM },
    body: tokenBody,
  })
  const { access_token } = (await token.json()) as { access_token: string }
  return {
    child,
    target: {
      name,
      token: {
        url: `${base}/oauth/token`,
        headers: { authorization: auth, 'content-type': FORM },
        body: tokenBody,
      },
      introspection: {
        url: `${base}/oauth/introspect`,
        headers: { authorization: auth, 'content-type': FORM },
        body: `token=${access_token}`,
      },
      jwks: `${base}/.well-known/jwks.json`,
    },
  }
}

async function startOidcProvider(): Promise<{ target: Target; child: ChildProcess }> {
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  const id = 'bench-client'
  const secret = randomBytes(24).toString('base64url')
  const child = startServer(here('./oidc-provider-server.js'), [String(port), id, secret], {
    ...process.env,
    NODE_ENV: 'production',
  })
  await waitFor(`${base}/jwks`, child)
  const auth = basic(id, secret)
  const tokenBody = 'grant_type=client_credentials&scope=read&resource=https%3A%2F%2Fapi.example'
  // Its introspection is measured on opaque tokens, which it looks up (JWTs it would only decode).
  const opaque = await fetch(`${base}/token`, {
    method: 'POST',
    headers: { authorization: auth, 'content-type': FORM },
    body: 'grant_type=client_credentials&scope=read&resource=https%3A%2F%2Fopaque.example',
  })
  const { access_token } = (await opaque.json()) as { access_token: string }
  const check = await fetch(`${base}/token`, {
    method: 'POST',
    headers: { authorization: auth, 'content-type': FORM },
    body: tokenBody,
  })
  const jwt = ((await check.json()) as { access_token?: string }).access_token
  if (jwt?.split('.').length !== 3) throw new Error('oidc-provider did not issue a JWT access token')
  return {
    child,
    target: {
      name: 'oidc-provider',
      token: {
        url: `${base}/token`,
        headers: { authorization: auth, 'content-type': FORM },
        body: tokenBody,
      },
      introspection: {
        url: `${base}/token/introspection`,
        headers: { authorization: auth, 'content-type': FORM },
        body: `token=${access_token}`,
      },
      jwks: `${base}/jwks`,
    },
  }
}

/** The floor (floor-server.ts) in one of its modes; the token floors ignore the request's content. */
async function startFloor(mode: 'jwks' | 'jwt-sync' | 'jwt-async'): Promise<{ name: string; url: string }> {
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const child = startServer(here('./floor-server.js'), [mode, String(port)], process.env)
  await waitFor(url, child)
  return { name: `floor (${mode})`, url }
}

interface Row {
  scenario: string
  server: string
  requestsPerSecond: number
  p50: number
  p99: number
  non2xx: number
  errors: number
}

type Options = Parameters<typeof autocannon>[0]

/** One autocannon run; the first run of each server gets a short warm-up so V8 optimises first. */
async function run(options: Options, duration: number, warm: boolean): Promise<Result> {
  if (warm) await autocannon({ ...options, duration: 2, connections: CONNECTIONS })
  return autocannon({ ...options, duration, connections: CONNECTIONS })
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] as number
}

/**
 * Measures one scenario on every server in ROUNDS interleaved rounds (server A, B, C, then again),
 * reporting each server's median round: on a machine whose load drifts, servers measured minutes
 * apart are not comparable, servers measured in alternation are.
 */
async function measureScenario(
  scenario: string,
  servers: readonly { name: string; options: Options }[],
): Promise<Row[]> {
  const duration = Math.max(2, Math.round(DURATION / ROUNDS))
  const results = new Map<string, Result[]>(servers.map((server) => [server.name, []]))
  for (let round = 0; round < ROUNDS; round++) {
    for (const server of servers)
      results.get(server.name)?.push(await run(server.options, duration, round === 0))
  }
  return servers.map(({ name }) => {
    const runs = results.get(name) ?? []
    const row: Row = {
      scenario,
      server: name,
      requestsPerSecond: Math.round(median(runs.map((result) => result.requests.average))),
      p50: median(runs.map((result) => result.latency.p50)),
      p99: median(runs.map((result) => result.latency.p99)),
      non2xx: runs.reduce((sum, result) => sum + result.non2xx, 0),
      errors: runs.reduce((sum, result) => sum + result.errors + result.timeouts, 0),
    }
    process.stderr.write(
      `${scenario} ${name}: ${row.requestsPerSecond} req/s (rounds: ${runs.map((r) => Math.round(r.requests.average)).join(', ')}), p50 ${row.p50} ms, p99 ${row.p99} ms\n`,
    )
    return row
  })
}

/** Against oidc-provider: Tessera's req/s at least this many times its. */
const PEER_TARGETS: Record<string, number> = { client_credentials: 3, jwks: 2.5, introspection: 2 }
/** Against the machine's floor (the best floor row of the scenario): at least this fraction of it. */
const FLOOR_TARGETS: Record<string, number> = { client_credentials: 0.75, jwks: 0.85 }
const TESSERA = 'tessera'
const TESSERA_NO_METRICS = 'tessera (metrics off)'
const TESSERA_HSM = 'tessera (keys in SoftHSM)'
const SOFTHSM_MODULE = '/usr/lib/softhsm/libsofthsm2.so'

/** A fresh SoftHSM token under `dir`; the environment that points an authority at it. */
function softHsmEnv(dir: string): NodeJS.ProcessEnv {
  const tokens = join(dir, 'tokens')
  mkdirSync(tokens, { recursive: true })
  const conf = join(dir, 'softhsm2.conf')
  writeFileSync(conf, `directories.tokendir = ${tokens}\nobjectstore.backend = file\nlog.level = ERROR\n`)
  const pin = randomBytes(8).toString('hex')
  execFileSync(
    'softhsm2-util',
    ['--init-token', '--free', '--label', 'bench', '--pin', pin, '--so-pin', pin],
    {
      env: { ...process.env, SOFTHSM2_CONF: conf },
      stdio: 'ignore',
    },
  )
  return {
    SOFTHSM2_CONF: conf,
    TESSERA_PKCS11_MODULE: SOFTHSM_MODULE,
    TESSERA_PKCS11_TOKEN_LABEL: 'bench',
    TESSERA_PKCS11_PIN: pin,
  }
}

function ratios(row: Row, rows: readonly Row[]): string {
  if (!row.server.startsWith(TESSERA)) return ''
  const inScenario = rows.filter((other) => other.scenario === row.scenario)
  const peer = inScenario.find((other) => other.server === 'oidc-provider')
  const parts: string[] = []
  if (row.server === TESSERA_HSM) {
    const inProcess = inScenario.find((other) => other.server === TESSERA)
    if (inProcess)
      parts.push(
        `${Math.round((100 * row.requestsPerSecond) / inProcess.requestsPerSecond)}% of in-process keys`,
      )
    return parts.join(', ')
  }
  if (peer)
    parts.push(
      `${(row.requestsPerSecond / peer.requestsPerSecond).toFixed(2)}x oidc-provider (≥ ${PEER_TARGETS[row.scenario]}x)`,
    )
  const floors = inScenario.filter((other) => other.server.startsWith('floor'))
  const floor = Math.max(0, ...floors.map((other) => other.requestsPerSecond))
  const target = FLOOR_TARGETS[row.scenario]
  if (floor > 0 && target !== undefined) {
    parts.push(
      `${Math.round((100 * row.requestsPerSecond) / floor)}% of floor (≥ ${Math.round(target * 100)}%)`,
    )
  }
  return parts.join(', ')
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-bench-'))
  try {
    const tessera = await startTessera(join(dataDir, 'metrics-on'), TESSERA)
    const bare = await startTessera(join(dataDir, 'metrics-off'), TESSERA_NO_METRICS, {
      TESSERA_METRICS: 'false',
    })
    const hsm = await startTessera(join(dataDir, 'softhsm'), TESSERA_HSM, softHsmEnv(join(dataDir, 'token')))
    const oidc = await startOidcProvider()
    const floorJwks = await startFloor('jwks')
    const floorTokens = [await startFloor('jwt-async'), await startFloor('jwt-sync')]
    const targets = [tessera.target, bare.target, oidc.target]
    const rows: Row[] = []
    const token = (target: Target) => ({
      name: target.name,
      options: { ...target.token, method: 'POST' as const },
    })
    rows.push(
      ...(await measureScenario('client_credentials', [
        ...targets.map(token),
        token(hsm.target),
        ...floorTokens.map((floor) => ({
          name: floor.name,
          options: {
            url: floor.url,
            method: 'POST' as const,
            headers: tessera.target.token.headers,
            body: tessera.target.token.body,
          },
        })),
      ])),
    )
    rows.push(
      ...(await measureScenario(
        'introspection',
        targets.map((target) => ({
          name: target.name,
          options: { ...target.introspection, method: 'POST' as const },
        })),
      )),
    )
    rows.push(
      ...(await measureScenario('jwks', [
        ...targets.map((target) => ({ name: target.name, options: { url: target.jwks } })),
        { name: floorJwks.name, options: { url: floorJwks.url } },
      ])),
    )
    const lines = [
      `| scenario | server | req/s | p50 ms | p99 ms | non-2xx | errors | ratios (targets) |`,
      `| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |`,
    ]
    for (const row of rows) {
      lines.push(
        `| ${row.scenario} | ${row.server} | ${row.requestsPerSecond} | ${row.p50} | ${row.p99} | ${row.non2xx} | ${row.errors} | ${ratios(row, rows)} |`,
      )
    }
    process.stdout.write(
      `\n${lines.join('\n')}\n\n${ROUNDS} interleaved rounds of ${Math.max(2, Math.round(DURATION / ROUNDS))}s per server and scenario (median shown), ${CONNECTIONS} connections, Node ${process.version}\n`,
    )
    const out = here('../../../../bench-results')
    mkdirSync(out, { recursive: true })
    writeFileSync(
      join(out, 'authority.json'),
      `${JSON.stringify({ duration: DURATION, rounds: ROUNDS, connections: CONNECTIONS, rows }, null, 2)}\n`,
    )
  } finally {
    for (const child of children) child.kill('SIGTERM')
    rmSync(dataDir, { recursive: true, force: true })
  }
}

await main()
