import type { Command } from 'commander'
import { examples, withJSON } from '../../lib/command.js'
import { failure } from '../../lib/exit.js'
import { readText } from '../../lib/input.js'
import { diagnoseSet } from './diagnose.js'
import { report } from './report.js'

export function addInspect(jwks: Command): void {
  const command = jwks
    .command('inspect')
    .description(
      'list the keys of a JWK set file with their thumbprints, and what is wrong with the set (exit 1 on errors)',
    )
    .argument('<file>', 'the JWK set, or - for stdin')
  withJSON(command)
  examples(command, [
    'tessera jwks inspect jwks.json',
    'curl -s https://auth.example/.well-known/jwks.json | tessera jwks inspect -',
  ])
  command.action(async (file: string, options: { json?: boolean }) => {
    let document: unknown
    try {
      document = JSON.parse(readText(file, 'JWK set'))
    } catch (error) {
      if (error instanceof SyntaxError) throw failure(`${file}: not valid JSON (${error.message})`)
      throw error
    }
    report(await diagnoseSet(document), { source: file }, [], options.json === true)
  })
}
