/** The Markdown table, the target check and the SVG chart, all from one results object. */
import { CONTENDERS, type ContenderKind } from './contenders.js'
import type { Mode, Timing } from './harness.js'

export interface ResultRow {
  readonly mode: Mode
  readonly alg: string
  readonly op: string
  readonly id: string
  readonly label: string
  readonly kind: ContenderKind
  readonly cached: boolean
  readonly opsPerSec: number
  readonly rounds: readonly number[]
  readonly fastestPeer?: string
  readonly ratioToFastestPeer?: number
  readonly ratioToFloor?: number
}

export interface BenchResults {
  readonly command: string
  readonly date: string
  readonly node: string
  readonly cpu: string
  readonly threadpool: number
  readonly timing: Timing
  readonly rows: readonly ResultRow[]
  readonly notes: readonly string[]
}

const MODE_TITLE: Record<Mode, string> = {
  sequential: 'One operation at a time (latency-bound, ops/s)',
  'in-flight': '64 operations in flight (throughput, ops/s)',
}

const ops = (value: number | undefined) =>
  value === undefined ? '–' : Math.round(value).toLocaleString('en-US')
const ratio = (value: number | undefined) => (value === undefined ? '–' : `${value.toFixed(2)}×`)
const percent = (value: number | undefined) => (value === undefined ? '–' : `${Math.round(value * 100)}%`)

function cells(results: BenchResults, mode: Mode): Array<{ alg: string; op: string; rows: ResultRow[] }> {
  const out: Array<{ alg: string; op: string; rows: ResultRow[] }> = []
  for (const row of results.rows) {
    if (row.mode !== mode) continue
    let cell = out.find((c) => c.alg === row.alg && c.op === row.op)
    if (!cell) {
      cell = { alg: row.alg, op: row.op, rows: [] }
      out.push(cell)
    }
    cell.rows.push(row)
  }
  return out
}

function find(rows: readonly ResultRow[], id: string): ResultRow | undefined {
  return rows.find((row) => row.id === id)
}

function table(results: BenchResults, mode: Mode): string {
  const lines = [
    `| alg | op | ${CONTENDERS.map((c) => c.label).join(' | ')} | Tessera ÷ best peer | Tessera ÷ floor |`,
    `|---|---|${CONTENDERS.map(() => '--:|').join('')}--:|--:|`,
  ]
  for (const { alg, op, rows } of cells(results, mode)) {
    // JWE has only the plain API, so its ratios are those of encryptJWT/decryptJWT.
    const tessera = find(rows, 'tessera') ?? find(rows, 'tessera-plain')
    const values = CONTENDERS.map((c) => {
      const value = ops(find(rows, c.id)?.opsPerSec)
      return c.id === 'tessera' ? `**${value}**` : value
    })
    const best = tessera?.fastestPeer ? ` (${tessera.fastestPeer})` : ''
    lines.push(
      `| ${alg} | ${op} | ${values.join(' | ')} | ${ratio(tessera?.ratioToFastestPeer)}${best} | ${percent(tessera?.ratioToFloor)} |`,
    )
  }
  return lines.join('\n')
}

export interface TargetCheck {
  readonly target: string
  readonly figure: string
  /** The same ratio for the floor: what bare node:crypto reaches on this machine, the practical ceiling. */
  readonly ceiling: string
  readonly met: boolean
}

/** The targets of issue 5, each evaluated on this run's figures. */
export function checkTargets(results: BenchResults): TargetCheck[] {
  const checks: TargetCheck[] = []
  const versus = (rows: ResultRow[], peer: string, min: number, what: string) => {
    const tessera = find(rows, 'tessera')
    const other = find(rows, peer)
    if (!tessera || !other) return
    const value = tessera.opsPerSec / other.opsPerSec
    const floorRow = find(rows, 'floor')
    checks.push({
      target: `${what} ≥ ${min}× ${peer}`,
      figure: `${value.toFixed(3)}×`,
      ceiling: floorRow ? `${(floorRow.opsPerSec / other.opsPerSec).toFixed(2)}×` : '–',
      met: value >= min,
    })
  }
  const floor = (rows: ResultRow[], min: number, what: string) => {
    const value = find(rows, 'tessera')?.ratioToFloor
    if (value === undefined) return
    checks.push({
      target: `${what} ≥ ${Math.round(min * 100)}% of floor`,
      figure: percent(value),
      ceiling: '100%',
      met: value >= min,
    })
  }
  for (const { alg, op, rows } of cells(results, 'sequential')) {
    const what = `one at a time, ${alg} ${op}`
    if (alg === 'HS256') {
      versus(rows, 'fast-jwt', 1.2, what)
      versus(rows, 'jose', 3, what)
      floor(rows, 0.6, what)
    } else if (!alg.includes('/')) floor(rows, 0.95, what)
  }
  for (const { alg, op, rows } of cells(results, 'in-flight')) {
    if (alg === 'HS256' || alg.includes('/')) continue
    const what = `64 in flight, ${alg} ${op}`
    versus(rows, 'fast-jwt', 1.6, what)
    versus(rows, 'jose', 1.1, what)
  }
  return checks
}

export function renderMarkdown(results: BenchResults): string {
  const { timing } = results
  const targets = checkTargets(results)
  const met = targets.filter((t) => t.met).length
  return [
    `### Results: \`${results.command}\``,
    '',
    `Node ${results.node} · ${results.cpu} · ${results.date} · warm-up ${timing.warmupMs} ms, median of ${timing.rounds} interleaved rounds of ${timing.roundMs} ms · libuv thread pool ${results.threadpool}`,
    '',
    `"Tessera" is \`createJWTSigner\`/\`createJWTVerifier\` (\`.sync\` one at a time, the async form in flight). "best peer" excludes fast-jwt's cache, which skips the signature for a token it has seen.`,
    '',
    ...(['sequential', 'in-flight'] as const).flatMap((mode) =>
      cells(results, mode).length ? [`#### ${MODE_TITLE[mode]}`, '', table(results, mode), ''] : [],
    ),
    `#### Targets (${met} of ${targets.length} met)`,
    '',
    'Checked on unrounded figures. "Floor" is the same ratio for bare node:crypto in this run: no library can do better than its primitive, so it is the ceiling the machine allows.',
    '',
    '| target | this run | floor | met |',
    '|---|--:|--:|:-:|',
    ...targets.map((t) => `| ${t.target} | ${t.figure} | ${t.ceiling} | ${t.met ? 'yes' : '**no**'} |`),
    '',
    ...(results.notes.length ? ['#### Notes', '', ...results.notes.map((note) => `- ${note}`), ''] : []),
  ].join('\n')
}

const COLORS: Record<ContenderKind, string> = { floor: '#9e9e9e', tessera: '#1565c0', peer: '#ef6c00' }

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

/** Horizontal bars, one group per (mode, alg, op), each bar scaled to the fastest in its group. */
export function renderSvg(results: BenchResults): string {
  const barHeight = 14
  const labelWidth = 260
  const barWidth = 520
  const parts: string[] = []
  let y = 40
  for (const mode of ['sequential', 'in-flight'] as const) {
    const groups = cells(results, mode)
    if (groups.length === 0) continue
    parts.push(
      `<text x="10" y="${y}" font-size="16" font-weight="bold">${escapeXml(MODE_TITLE[mode])}</text>`,
    )
    y += 12
    for (const { alg, op, rows } of groups) {
      const max = Math.max(...rows.map((r) => r.opsPerSec))
      y += 18
      parts.push(
        `<text x="10" y="${y}" font-size="13" font-weight="bold">${escapeXml(`${alg} ${op}`)}</text>`,
      )
      y += 4
      for (const row of rows) {
        const width = Math.max(1, (row.opsPerSec / max) * barWidth)
        parts.push(
          `<text x="${labelWidth - 6}" y="${y + barHeight - 3}" font-size="11" text-anchor="end">${escapeXml(row.label)}</text>`,
          `<rect x="${labelWidth}" y="${y}" width="${width.toFixed(1)}" height="${barHeight - 2}" fill="${COLORS[row.kind]}"${row.cached ? ' fill-opacity="0.45"' : ''}/>`,
          `<text x="${labelWidth + width + 4}" y="${y + barHeight - 3}" font-size="11">${ops(row.opsPerSec)}/s</text>`,
        )
        y += barHeight
      }
    }
    y += 24
  }
  const header = `<text x="10" y="20" font-size="12">${escapeXml(`${results.command} · Node ${results.node} · ${results.cpu} · ${results.date}`)}</text>`
  const width = labelWidth + barWidth + 120
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" viewBox="0 0 ${width} ${y}" font-family="sans-serif">\n<rect width="100%" height="100%" fill="white"/>\n${header}\n${parts.join('\n')}\n</svg>\n`
}
