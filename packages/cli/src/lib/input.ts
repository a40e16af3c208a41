import { readFileSync, readSync } from 'node:fs'
import { usageError } from './exit.js'

/** The most the CLI reads from one file or from stdin: tokens, keys and key sets are far smaller. */
export const MAX_INPUT_BYTES = 4 * 1024 * 1024

const pause = new Int32Array(new SharedArrayBuffer(4))

/**
 * Reads stdin to its end, synchronously. A pipe may be non-blocking (EAGAIN until the writer has
 * written), so this waits and retries instead of giving up; it stops past MAX_INPUT_BYTES.
 */
function readStdin(what: string): Buffer {
  // Waiting silently on a terminal looks like a hang; say what is expected.
  if (process.stdin.isTTY) process.stderr.write(`reading the ${what} from stdin (end with Ctrl-D)\n`)
  const chunks: Buffer[] = []
  const buffer = Buffer.alloc(64 * 1024)
  let total = 0
  for (;;) {
    let count: number
    try {
      count = readSync(0, buffer, 0, buffer.length, null)
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'EAGAIN') {
        Atomics.wait(pause, 0, 0, 10)
        continue
      }
      if (code === 'EOF') break
      throw usageError(`cannot read stdin (${code ?? 'error'})`)
    }
    if (count === 0) break
    chunks.push(Buffer.from(buffer.subarray(0, count)))
    total += count
    if (total > MAX_INPUT_BYTES) break
  }
  return Buffer.concat(chunks)
}

/** Reads a file, or stdin for `-`, refusing anything larger than MAX_INPUT_BYTES. */
export function readBytes(path: string, what: string): Buffer {
  let bytes: Buffer
  if (path === '-') {
    bytes = readStdin(what)
  } else {
    try {
      bytes = readFileSync(path)
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error'
      throw usageError(`cannot read ${what} ${path} (${code})`)
    }
  }
  if (bytes.length > MAX_INPUT_BYTES) {
    throw usageError(`${what} ${path === '-' ? 'from stdin' : path} is larger than ${MAX_INPUT_BYTES} bytes`)
  }
  return bytes
}

export function readText(path: string, what: string): string {
  return readBytes(path, what).toString('utf8')
}

/** A token given as an argument, or `-` for stdin; surrounding whitespace (a trailing newline) is dropped. */
export function readToken(value: string | undefined, what = 'token'): string {
  const token = (value === undefined || value === '-' ? readText('-', what) : value).trim()
  if (token === '') throw usageError(`no ${what} given (pass it as an argument, or - for stdin)`)
  return token
}

/** `JSON`, `@file` or `-` (stdin), parsed as a JSON object. */
export function readJSONObject(value: string, option: string): Record<string, unknown> {
  const text =
    value === '-' ? readText('-', option) : value.startsWith('@') ? readText(value.slice(1), option) : value
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    throw usageError(`${option}: not valid JSON (${(error as Error).message})`)
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw usageError(`${option}: must be a JSON object`)
  }
  return parsed as Record<string, unknown>
}
