import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { ADMIN_TOKEN, MASTER_KEY } from './authority.js'

const ROOT = new URL('../../../../', import.meta.url)

/**
 * The server's real entry point, as `npm start` runs it: dist/main.js. `tsc -b` first (a no-op when
 * `npm test` has just built), so child processes never run a stale build of today's sources.
 */
export async function buildServer(): Promise<{ entry: string; remove: () => void }> {
  const tsc = fileURLToPath(new URL('node_modules/typescript/bin/tsc', ROOT))
  execFileSync(process.execPath, [tsc, '-b', 'packages/authority/tsconfig.json'], {
    cwd: fileURLToPath(ROOT),
    stdio: 'pipe',
  })
  return { entry: fileURLToPath(new URL('packages/authority/dist/main.js', ROOT)), remove: () => {} }
}

export interface AuthorityProcess {
  readonly url: string
  readonly child: ChildProcess
  /** Everything the process wrote to stdout and stderr so far (its logs and the start-up banner). */
  output(): string
  stop(): Promise<void>
}

/** Starts `node <entry>` configured by environment variables, resolving once it listens. */
export function spawnAuthority(
  entry: string,
  env: Record<string, string>,
  port: number,
): Promise<AuthorityProcess> {
  const child = spawn(process.execPath, [entry], {
    env: {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      PORT: String(port),
      TESSERA_ADMIN_TOKEN: ADMIN_TOKEN,
      TESSERA_MASTER_KEY: MASTER_KEY,
      TESSERA_LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
    await exited
    clearTimeout(timer)
  }
  return new Promise((resolve, reject) => {
    let output = ''
    const timer = setTimeout(() => {
      void stop()
      reject(new Error(`authority process did not start in 20 s:\n${output}`))
    }, 20_000)
    const collect = (chunk: Buffer) => {
      output += chunk.toString('utf8')
      if (output.includes('listening on')) {
        clearTimeout(timer)
        resolve({ url: `http://127.0.0.1:${port}`, child, output: () => output, stop })
      }
    }
    child.stdout?.on('data', collect)
    child.stderr?.on('data', collect)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`authority process exited (${code}) before listening:\n${output}`))
    })
  })
}
