import { readFileSync } from 'node:fs'
import { usageError } from './exit.js'

/** The most the CLI reads from one file or from stdin: tokens, keys and key sets are far smaller. */
export const MAX_INPUT_BYTES = 4 * 1024 * 1024

function readStdin(what: string): Buffer {
  // Waiting silently on a terminal looks like a hang; say what is expected.
  if (process.stdin.isTTY) process.stderr.write(`reading the ${what} from stdin (end with Ctrl-D)\n`)
  try {
    return readFileSync(0)
  } catch (error) {
    throw usageError(`cannot read stdin (${(error as NodeJS.ErrnoException).code ?? 'error'})`)
  }
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
