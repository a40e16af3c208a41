/**
 * `npm run bench` (or `npm run bench -- --quick`): builds this folder with tsc, then runs every
 * contender for every algorithm, operation and mode, and writes bench-results/{results.json,
 * results.md, results.svg}. Options: --quick, --only=HS256,ES256,JWE, --mode=sequential|in-flight,
 * --op=sign|verify (JWS rows only), --out=<dir>, --from=<results.json> (re-render a saved run).
 */
import type { Buffer } from 'node:buffer'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createJWTSigner, createJWTVerifier, importPEM, importSecret } from '../src/index.js'
import { type Contender, setUpContenders, type Tokens } from './contenders.js'
import {
  ALGORITHMS,
  AUDIENCE,
  type BenchAlgorithm,
  ISSUER,
  LIFETIME,
  legacyName,
  makeKeys,
  PER_TOKEN_CLAIMS,
} from './fixtures.js'
import { FULL, type Mode, measureCell, type Operation, QUICK } from './harness.js'
import { jweCells } from './jwe.js'
import { type BenchResults, type ResultRow, renderMarkdown, renderSvg } from './report.js'

const args = process.argv.slice(2)
const flag = (name: string) => args.find((arg) => arg.startsWith(`--${name}=`))?.split('=')[1]
const quick = args.includes('--quick')
const timing = quick ? QUICK : FULL
const only = flag('only')?.split(',')
const algorithms = ALGORITHMS.filter((alg) => !only || only.includes(alg))
const modes: Mode[] = flag('mode') ? [flag('mode') as Mode] : ['sequential', 'in-flight']
const operations: Array<'sign' | 'verify'> = flag('op')
  ? [flag('op') as 'sign' | 'verify']
  : ['sign', 'verify']
const here = dirname(fileURLToPath(import.meta.url))
// Compiled to bench/dist/bench/run.js; results go to packages/jose/bench-results.
const outDir = resolve(flag('out') ?? join(here, '..', '..', '..', 'bench-results'))

async function makeTokens(alg: BenchAlgorithm, material: ReturnType<typeof makeKeys>): Promise<Tokens> {
  const key =
    alg === 'HS256'
      ? importSecret(material.privatePem as Buffer, alg)
      : await importPEM(material.privatePem as string, alg)
  const options = { key, issuer: ISSUER, audience: AUDIENCE, expiresIn: LIFETIME * 4 }
  return {
    modern: createJWTSigner({ ...options, alg }).sync(PER_TOKEN_CLAIMS),
    legacy: createJWTSigner({ ...options, alg: legacyName(alg) }).sync(PER_TOKEN_CLAIMS),
  }
}

/** Runs each operation once and checks its output, so a misconfigured contender cannot post a fast number. */
async function selfCheck(
  contender: Contender,
  op: 'sign' | 'verify',
  mode: Mode,
  check: (token: string) => unknown,
): Promise<string | undefined> {
  const run = contender[op]?.[mode === 'sequential' ? 'sequential' : 'inFlight']
  if (!run) return 'not applicable'
  try {
    const result = await run()
    if (contender.kind === 'floor') return result === false ? 'floor verify returned false' : undefined
    if (op === 'sign') {
      if (typeof result !== 'string') return 'sign did not return a token'
      check(result)
    } else if (result === false || result === undefined || result === null) {
      return 'verify returned nothing'
    }
    return undefined
  } catch (error) {
    return `failed its self-check: ${(error as Error).message}`
  }
}

/** `--from=<results.json>`: re-renders results.md and results.svg from a saved run, measuring nothing. */
function render(results: BenchResults): void {
  mkdirSync(outDir, { recursive: true })
  const markdown = renderMarkdown(results)
  writeFileSync(join(outDir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`)
  writeFileSync(join(outDir, 'results.md'), markdown)
  writeFileSync(join(outDir, 'results.svg'), renderSvg(results))
  process.stdout.write(`${markdown}\nWritten to ${outDir}/results.{json,md,svg}\n`)
}

async function main(): Promise<void> {
  const from = flag('from')
  if (from) return render(JSON.parse(readFileSync(from, 'utf8')) as BenchResults)
  const started = new Date()
  const rows: ResultRow[] = []
  const notes: string[] = []
  for (const alg of algorithms) {
    const material = makeKeys(alg)
    const tokens = await makeTokens(alg, material)
    const { contenders, notes: setupNotes } = await setUpContenders(material, tokens)
    notes.push(...setupNotes)
    const publicKey =
      alg === 'HS256'
        ? importSecret(material.publicPem as Buffer, alg)
        : await importPEM(material.publicPem as string, alg)
    const checker = createJWTVerifier({
      key: publicKey,
      algorithms: [alg, legacyName(alg)],
      issuer: ISSUER,
      audience: AUDIENCE,
    })
    for (const mode of modes) {
      for (const op of operations) {
        const ready: Contender[] = []
        for (const contender of contenders) {
          const problem = await selfCheck(contender, op, mode, (token) => checker.sync(token))
          if (problem === undefined) ready.push(contender)
          else if (problem !== 'not applicable')
            notes.push(`${alg} ${op} ${mode}: ${contender.label} ${problem}`)
        }
        const ops = ready.map((c) => c[op]?.[mode === 'sequential' ? 'sequential' : 'inFlight'] as Operation)
        const measured = await measureCell(ops, mode, timing)
        ready.forEach((contender, i) => {
          const { opsPerSec, rounds } = measured[i] as { opsPerSec: number; rounds: readonly number[] }
          rows.push({
            mode,
            alg,
            op,
            id: contender.id,
            label: contender.label,
            kind: contender.kind,
            cached: !!contender.cached,
            opsPerSec,
            rounds,
          })
        })
        process.stderr.write(
          `${mode} ${alg} ${op}: ${ready.map((c, i) => `${c.id}=${Math.round(measured[i]?.opsPerSec ?? 0)}`).join(' ')}\n`,
        )
      }
    }
  }
  if (!only || only.includes('JWE')) {
    const jwe = await jweCells(timing, modes)
    rows.push(...jwe.rows)
    notes.push(...jwe.notes)
  }

  const results: BenchResults = {
    command: `npm run bench${args.length ? ` -- ${args.join(' ')}` : ''}`,
    date: started.toISOString(),
    node: process.version,
    cpu: `${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}`,
    threadpool: Number(process.env.UV_THREADPOOL_SIZE ?? 4),
    timing,
    rows: withRatios(rows),
    notes,
  }
  render(results)
}

/** Ratio to the fastest uncached peer and to the floor, within each (mode, alg, op) cell. */
function withRatios(rows: ResultRow[]): ResultRow[] {
  return rows.map((row) => {
    const cell = rows.filter((r) => r.mode === row.mode && r.alg === row.alg && r.op === row.op)
    const peers = cell.filter((r) => r.kind === 'peer' && !r.cached)
    const fastestPeer = peers.reduce<ResultRow | undefined>(
      (best, r) => (!best || r.opsPerSec > best.opsPerSec ? r : best),
      undefined,
    )
    const floor = cell.find((r) => r.kind === 'floor')
    return {
      ...row,
      ...(fastestPeer
        ? { fastestPeer: fastestPeer.id, ratioToFastestPeer: row.opsPerSec / fastestPeer.opsPerSec }
        : {}),
      ...(floor ? { ratioToFloor: row.opsPerSec / floor.opsPerSec } : {}),
    }
  })
}

await main()
