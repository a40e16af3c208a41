import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Command } from 'commander'
import { examples } from '../../lib/command.js'
import { usageError } from '../../lib/exit.js'

interface Options {
  port?: string
  host?: string
  dataDir?: string
}

/** The authority's own entry point, what `npm start` runs: dist/main.js beside the package's main module. */
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
    .option('--port <port>', 'TCP port (sets PORT)')
    .option('--host <host>', 'address to listen on (sets HOST)')
    .option('--data-dir <dir>', 'data directory (sets TESSERA_DATA_DIR)')
  examples(command, [
    'tessera serve',
    'TESSERA_CONFIG=authority.json tessera serve --port 8080 --data-dir /var/lib/tessera',
  ])
  command.action(async (options: Options) => {
    if (options.port !== undefined) process.env.PORT = options.port
    if (options.host !== undefined) process.env.HOST = options.host
    if (options.dataDir !== undefined) process.env.TESSERA_DATA_DIR = options.dataDir
    // In this process, not a child: the authority's main reads the same environment, prints the same
    // banner, and owns SIGINT/SIGTERM (graceful shutdown) exactly as under `npm start`, with no
    // signal forwarding that a terminal's Ctrl-C would deliver twice.
    await import(pathToFileURL(authorityMain()).href)
  })
}
