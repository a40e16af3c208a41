import { execFileSync, spawnSync } from 'node:child_process'
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'

declare module 'vitest' {
  export interface ProvidedContext {
    /** postgres:// URL of the throwaway cluster, or '' when it could not start. */
    postgresUrl: string
    /** Why the cluster could not start, or ''. */
    postgresError: string
  }
}

/** PG_BIN, else the newest Debian-installed server (/usr/lib/postgresql/<major>/bin). */
function serverBin(): string {
  if (process.env.PG_BIN) return process.env.PG_BIN
  const root = '/usr/lib/postgresql'
  const majors = existsSync(root) ? readdirSync(root).filter((name) => /^\d+$/.test(name)) : []
  const newest = majors.sort((a, b) => Number(b) - Number(a))[0]
  if (newest === undefined)
    throw new Error(`no PostgreSQL server under ${root}; install Debian's postgresql or set PG_BIN`)
  return join(root, newest, 'bin')
}

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

/** initdb refuses to run as root; run the server binaries as the postgres user then. */
function runAs(command: string, args: string[]): void {
  const asRoot = process.getuid?.() === 0
  const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args]
  const result = spawnSync(file, argv, { encoding: 'utf8', timeout: 60_000 })
  if (result.status !== 0) {
    throw new Error(
      `${command} failed (${result.status}): ${result.stderr || result.stdout || result.error?.message}`,
    )
  }
}

/**
 * One throwaway PostgreSQL cluster for the whole run: initdb into a temp dir, start it on a free
 * loopback port with its socket in the same dir, and remove it afterwards. A failure is handed to the
 * tests, which fail with it: a storage suite that silently skips PostgreSQL proves nothing.
 */
export default async function setup(project: TestProject): Promise<() => void> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-pg-'))
  const data = join(dir, 'data')
  let started = false
  let bin = ''
  try {
    bin = serverBin()
    if (process.getuid?.() === 0) {
      chmodSync(dir, 0o700)
      const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim())
      const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim())
      chownSync(dir, uid, gid)
    }
    const port = await freePort()
    const password = 'tessera'
    const pwfile = join(dir, 'pwfile')
    writeFileSync(pwfile, password, { mode: 0o644 })
    runAs(join(bin, 'initdb'), [
      '-D',
      data,
      '-U',
      'tessera',
      '--pwfile',
      pwfile,
      '-A',
      'scram-sha-256',
      '--no-sync',
      '-E',
      'UTF8',
    ])
    const options = `-c listen_addresses=127.0.0.1 -c port=${port} -c unix_socket_directories=${dir} -c fsync=off -c max_connections=200`
    runAs(join(bin, 'pg_ctl'), ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', '-t', '30', 'start'])
    started = true
    project.provide('postgresUrl', `postgres://tessera:${password}@127.0.0.1:${port}/postgres`)
    project.provide('postgresError', '')
  } catch (error) {
    project.provide('postgresUrl', '')
    project.provide('postgresError', (error as Error).message)
  }
  return () => {
    if (started) {
      try {
        runAs(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop'])
      } catch {
        // Removing the directory below still frees the disk; the server dies with its data dir gone.
      }
    }
    rmSync(dir, { recursive: true, force: true })
  }
}
