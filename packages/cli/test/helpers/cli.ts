import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = fileURLToPath(new URL('../../../../', import.meta.url))
/** The bin npm links as `tessera`, run the way a user's shell runs it. */
export const BIN = join(ROOT, 'packages/cli/bin/tessera.js')
export const BIN_DIR = join(ROOT, 'node_modules/.bin')

/** `tsc -b` of the CLI and the authority it serves: a no-op right after `npm test`'s build. */
export function buildCli(): void {
  const tsc = join(ROOT, 'node_modules/typescript/bin/tsc')
  execFileSync(
    process.execPath,
    [tsc, '-b', 'packages/authority/tsconfig.json', 'packages/cli/tsconfig.json'],
    {
      cwd: ROOT,
      stdio: 'pipe',
    },
  )
}

export interface Run {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

export interface RunOptions {
  input?: string | Buffer
  cwd?: string
  env?: Record<string, string>
}

/** A clean environment: no inherited TESSERA_* settings, no colours forced on. */
export function baseEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: `${BIN_DIR}:${process.env.PATH ?? ''}`, HOME: process.env.HOME ?? '/tmp', ...extra }
}

/** Runs a program to its end, its output collected; never blocks this process's event loop. */
function run(command: string, args: readonly string[], options: RunOptions): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? ROOT,
      env: baseEnv(options.env),
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')))
    child.once('error', reject)
    child.once('close', (code) => resolve({ code, stdout, stderr }))
    // A command that fails before reading its stdin closes the pipe; that is its answer, not an error here.
    child.stdin.on('error', () => {})
    child.stdin.end(options.input ?? '')
  })
}

/** Runs the built CLI as a child process (servers the tests start live in this one). */
export function tessera(args: readonly string[], options: RunOptions = {}): Promise<Run> {
  return run(process.execPath, [BIN, ...args], options)
}

/** Runs a bash script with `tessera` on the PATH. */
export function bash(script: string, options: RunOptions = {}): Promise<Run> {
  return run('bash', ['-euo', 'pipefail', '-c', script], options)
}

export function workDir(): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), 'tessera-cli-'))
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) }
}

/** No stack trace ever reaches the user: no "    at …" frames, one line of diagnosis. */
export const STACK_FRAME = /^\s+at /m
