import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type { Command } from 'commander'
import { examples } from '../../lib/command.js'
import { usageError } from '../../lib/exit.js'

interface Options {
  port?: string
  host?: string
  dataDir?: string
}

/**
 * The authority's own entry point (what `npm start` runs), found beside the package's main module:
 * its settings, start-up checks, banner and shutdown are then exactly those of `npm start`.
 */
export function authorityMain(): string {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('@tessera/authority')), 'main.js')
  } catch {
    throw usageError('@tessera/authority is not installed or not built (npm run build)')
  }
}

export function registerServe(program: Command): void {
  const command = program
    .command('serve')
    .description('run the token authority with the same settings as npm start (environment, TESSERA_CONFIG)')
    .option('--port <port>', 'TCP port (PORT)')
    .option('--host <host>', 'address to listen on (HOST)')
    .option('--data-dir <dir>', 'data directory (TESSERA_DATA_DIR)')
  examples(command, [
    'tessera serve',
    'TESSERA_CONFIG=authority.json tessera serve --port 8080 --data-dir /var/lib/tessera',
  ])
  command.action(async (options: Options) => {
    const env = {
      ...process.env,
      ...(options.port !== undefined ? { PORT: options.port } : {}),
      ...(options.host !== undefined ? { HOST: options.host } : {}),
      ...(options.dataDir !== undefined ? { TESSERA_DATA_DIR: options.dataDir } : {}),
    }
    const child = spawn(process.execPath, [authorityMain()], { env, stdio: 'inherit' })
    // The authority shuts down on SIGINT/SIGTERM itself; pass them on and leave with its status.
    const forward = (signal: NodeJS.Signals) => () => child.kill(signal)
    process.on('SIGINT', forward('SIGINT'))
    process.on('SIGTERM', forward('SIGTERM'))
    const code = await new Promise<number>((resolve) => {
      child.once('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 128 + 15 : 1)))
      child.once('error', () => resolve(1))
    })
    process.exitCode = code
  })
}
