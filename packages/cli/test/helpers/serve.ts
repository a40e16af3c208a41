import { type ChildProcess, spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { BIN, baseEnv } from './cli.js'

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

export interface Served {
  readonly url: string
  readonly child: ChildProcess
  /** Everything the process printed so far. */
  output(): string
  stop(): Promise<number | null>
}

/** `tessera serve`, as a user starts it, resolving once the authority says it listens. */
export async function serve(env: Record<string, string>): Promise<Served> {
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const child = spawn(process.execPath, [BIN, 'serve', '--host', '127.0.0.1', '--port', String(port)], {
    env: baseEnv({ TESSERA_ISSUER: url, TESSERA_LOG_LEVEL: 'warn', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
    const code = await exited
    clearTimeout(timer)
    return code
  }
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`tessera serve did not start in 30 s:\n${output}`)),
      30_000,
    )
    const collect = (chunk: Buffer) => {
      output += chunk.toString('utf8')
      if (output.includes('listening on')) {
        clearTimeout(timer)
        resolve()
      }
    }
    child.stdout?.on('data', collect)
    child.stderr?.on('data', collect)
    void exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`tessera serve exited (${code}) before listening:\n${output}`))
    })
  })
  return { url, child, output: () => output, stop }
}
