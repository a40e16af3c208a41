import { inspect } from 'node:util'

type Stream = NodeJS.WriteStream

/** Colours only on a terminal, and never when NO_COLOR is set to anything (https://no-color.org). */
export function colourEnabled(stream: Stream): boolean {
  const noColor = process.env.NO_COLOR
  return stream.isTTY === true && (noColor === undefined || noColor === '')
}

const CODES = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  cyan: [36, 39],
}
export type Style = keyof typeof CODES

export function paint(stream: Stream, style: Style, text: string): string {
  if (!colourEnabled(stream)) return text
  const [open, close] = CODES[style]
  return `\u001b[${open}m${text}\u001b[${close}m`
}

/** Data goes to stdout. */
export function out(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`)
}

export function outJSON(value: unknown): void {
  out(JSON.stringify(value, null, 2))
}

/** Diagnostics go to stderr. */
export function note(text: string): void {
  process.stderr.write(`${text}\n`)
}

export function warn(text: string): void {
  note(`${paint(process.stderr, 'yellow', 'warning:')} ${text}`)
}

/** A JSON value pretty-printed for people, coloured on a terminal. */
export function pretty(value: unknown): string {
  if (!colourEnabled(process.stdout)) return JSON.stringify(value, null, 2)
  return inspect(value, { depth: 10, colors: true, breakLength: 100 })
}

/** Left-aligned columns; the last column is not padded. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = []
  for (const row of rows) {
    for (const [index, cell] of row.entries()) widths[index] = Math.max(widths[index] ?? 0, cell.length)
  }
  return rows
    .map((row) =>
      row
        .map((cell, index) => (index === row.length - 1 ? cell : cell.padEnd(widths[index] ?? 0)))
        .join('  '),
    )
    .join('\n')
}
