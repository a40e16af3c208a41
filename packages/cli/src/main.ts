import { CommanderError } from 'commander'
import { CliError, EXIT } from './lib/exit.js'
import { buildProgram } from './program.js'

/**
 * Runs the command line. Expected failures end as one line on stderr and a documented exit code;
 * only TESSERA_DEBUG=1 shows a stack trace, for what nobody expected.
 */
async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram()
  try {
    await program.parseAsync(argv as string[], { from: 'node' })
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here too, successfully; everything else commander refuses is usage.
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return EXIT.ok
      return EXIT.usage
    }
    if (error instanceof CliError) {
      process.stderr.write(`tessera: ${error.message}\n`)
      return error.exitCode
    }
    if (process.env.TESSERA_DEBUG === '1')
      process.stderr.write(`${(error as Error)?.stack ?? String(error)}\n`)
    else process.stderr.write(`tessera: ${(error as Error)?.message ?? String(error)}\n`)
    return EXIT.failed
  }
}

// `tessera … | head` closes the pipe early; that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error
    process.exit(process.exitCode ?? 0)
  })
}

main(process.argv).then((code) => {
  process.exitCode = code
})
