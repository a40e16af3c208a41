import { mkdirSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'
import { startBenchIssuer } from './issuer.js'
import { cpuSeconds, spawnServer, stop } from './processes.js'

/**
 * `npm run bench:gateway`: the gateway and three peers, each in its own process in front of the same
 * upstream (also its own process), driven in turn by autocannon from this process with one valid
 * ES256 token. Rounds alternate the contenders so a noisy neighbour hurts them alike.
 */
const DURATION = Number(process.env.BENCH_DURATION ?? 10)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2)
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url))

interface Contender {
  readonly name: string
  readonly entry: string
  readonly args: (env: Env) => string[]
}
interface Env {
  issuer: string
  upstream: string
  port: number
}

/** The gateway as an operator runs it: the CLI, a valid cached token, metrics on unless told. */
const gatewayArgs =
  (metrics: boolean) =>
  (env: Env): string[] => [
    ...['--issuer', env.issuer, '--audience', 'bench', '--upstream', env.upstream],
    ...['--port', String(env.port), '--allow-insecure-http', '--typ', 'at+jwt', '--log-level', 'warn'],
    ...(metrics ? ['--metrics-port', String(env.port + 1)] : []),
  ]

const CONTENDERS: Contender[] = [
  { name: 'tessera-gateway', entry: here('../../dist/cli/main.js'), args: gatewayArgs(true) },
  { name: 'tessera-gateway, metrics off', entry: here('../../dist/cli/main.js'), args: gatewayArgs(false) },
  { name: 'floor: fastify + @fastify/http-proxy', entry: here('servers/floor.js'), args: () => [] },
  { name: 'jose: createRemoteJWKSet + jwtVerify', entry: here('servers/jose-peer.js'), args: () => [] },
  { name: '@fastify/jwt + get-jwks', entry: here('servers/fastify-jwt.js'), args: () => [] },
  // BENCH_BASELINE=<another build's dist/cli/main.js>: that build, in the same rounds, for before/after.
  ...(process.env.BENCH_BASELINE
    ? [
        {
          name: 'tessera-gateway, baseline build',
          entry: process.env.BENCH_BASELINE,
          args: gatewayArgs(true),
        },
      ]
    : []),
]

// BENCH_ONLY='name|substring|…' runs only those contenders (an exact name matches only itself);
// BENCH_NODE_ARGS (e.g. --cpu-prof) goes to them.
const ONLY = process.env.BENCH_ONLY?.split('|').filter(Boolean)
const chosenByOnly = (name: string) =>
  !ONLY ||
  ONLY.some((item) =>
    CONTENDERS.some((contender) => contender.name === item) ? name === item : name.includes(item),
  )
const NODE_ARGS = process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []

async function waitUntilServing(url: string, headers: Record<string, string>): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const response = await fetch(url, { headers }).catch(() => undefined)
    if (response?.status === 200) return
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`${url} never answered 200`)
}

/**
 * Throughput, and the contender's own CPU time per request: on a shared machine req/s move with the
 * neighbours' load, but the CPU a server spends on each request does not, so both are reported.
 */
async function measure(
  url: string,
  token: string,
  pid: number,
): Promise<{ rps: number; p99: number; bad: number; cpuMicros: number }> {
  const options = { url, headers: { authorization: `Bearer ${token}` }, connections: CONNECTIONS }
  // Warm-up long enough for V8 to optimise the hot path even when the machine is busy.
  await autocannon({ ...options, duration: 4 })
  const before = cpuSeconds(pid)
  const result = await autocannon({ ...options, duration: DURATION })
  const cpu = cpuSeconds(pid) - before
  return {
    rps: result.requests.average,
    p99: result.latency.p99,
    bad: result.non2xx + result.errors + result.timeouts,
    cpuMicros: (cpu / Math.max(1, result.requests.total)) * 1e6,
  }
}

async function main(): Promise<void> {
  const bench = await startBenchIssuer('bench-1')
  const issuer = {
    issuer: bench.issuer,
    token: await bench.sign({ sub: 'bench-client', client_id: 'bench-client', scope: 'read' }),
    close: bench.close,
  }
  const upstreamPort = 20_000 + Math.floor(Math.random() * 20_000)
  const upstream = spawnServer(here('servers/upstream.js'), [], { PORT: String(upstreamPort) })
  const upstreamUrl = `http://127.0.0.1:${upstreamPort}`
  await waitUntilServing(upstreamUrl, {})
  const results = new Map<string, { rps: number[]; p99: number[]; cpu: number[]; bad: number }>()
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const chosen = CONTENDERS.filter((item) => chosenByOnly(item.name))
      // Each round starts with another contender, so none always runs first (or last) in a round.
      const order = chosen.map((_, index) => chosen[(index + round) % chosen.length] as Contender)
      for (const contender of order) {
        const port = upstreamPort + 10 + CONTENDERS.indexOf(contender) * 2
        const child = spawnServer(
          contender.entry,
          contender.args({ issuer: issuer.issuer, upstream: upstreamUrl, port }),
          {
            PORT: String(port),
            UPSTREAM: upstreamUrl,
            ISSUER: issuer.issuer,
            JWKS_URI: `${issuer.issuer}/.well-known/jwks.json`,
          },
          NODE_ARGS,
        )
        try {
          const url = `http://127.0.0.1:${port}/items`
          await waitUntilServing(url, { authorization: `Bearer ${issuer.token}` })
          const measured = await measure(url, issuer.token, child.pid ?? 0)
          const entry = results.get(contender.name) ?? { rps: [], p99: [], cpu: [], bad: 0 }
          entry.rps.push(measured.rps)
          entry.p99.push(measured.p99)
          entry.cpu.push(measured.cpuMicros)
          entry.bad += measured.bad
          results.set(contender.name, entry)
          process.stderr.write(
            `round ${round + 1} ${contender.name}: ${Math.round(measured.rps)} req/s, p99 ${measured.p99} ms, ${Math.round(measured.cpuMicros)} µs CPU/request${measured.bad ? `, ${measured.bad} non-2xx/errors` : ''}\n`,
          )
        } finally {
          await stop(child)
        }
      }
    }
  } finally {
    await stop(upstream)
    issuer.close()
  }
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length
  const rps = (name: string) => mean(results.get(name)?.rps ?? [0])
  const gateway = rps('tessera-gateway')
  const floor = rps('floor: fastify + @fastify/http-proxy')
  const jose = rps('jose: createRemoteJWKSet + jwtVerify')
  const cpu = (name: string) => mean(results.get(name)?.cpu ?? [0])
  const gatewayCpu = cpu('tessera-gateway')
  const lines = [
    `autocannon, ${CONNECTIONS} connections, ${DURATION} s per run, ${ROUNDS} rounds (mean), ES256 token, GET /items`,
    '',
    '| contender | req/s | p99 ms | req/s vs floor | server CPU µs/request | CPU-bound req/s vs floor |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...[...results].map(
      ([name, entry]) =>
        `| ${name} | ${Math.round(mean(entry.rps))} | ${mean(entry.p99).toFixed(1)} | ${((mean(entry.rps) / floor) * 100).toFixed(0)}%${entry.bad ? ` (${entry.bad} non-2xx)` : ''} | ${Math.round(mean(entry.cpu))} | ${((cpu('floor: fastify + @fastify/http-proxy') / mean(entry.cpu)) * 100).toFixed(0)}% |`,
    ),
    '',
    `gateway / floor: ${((gateway / floor) * 100).toFixed(1)}% by req/s, ${((cpu('floor: fastify + @fastify/http-proxy') / gatewayCpu) * 100).toFixed(1)}% by CPU per request (target ≥ 90%)`,
    `gateway / jose peer: ${(gateway / jose).toFixed(2)}× by req/s, ${(cpu('jose: createRemoteJWKSet + jwtVerify') / gatewayCpu).toFixed(2)}× by CPU per request (target ≥ 1.2×)`,
  ]
  process.stdout.write(`${lines.join('\n')}\n`)
  mkdirSync('bench-results', { recursive: true })
  writeFileSync('bench-results/gateway.json', JSON.stringify(Object.fromEntries(results), null, 2))
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`)
  process.exit(1)
})
