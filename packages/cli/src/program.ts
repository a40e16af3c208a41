import { Command } from 'commander'
import { registerAdmin } from './commands/admin/index.js'
import { registerCompletion } from './commands/completion/index.js'
import { registerGateway } from './commands/gateway/index.js'
import { registerJwe } from './commands/jwe/index.js'
import { registerJwks } from './commands/jwks/index.js'
import { registerJws } from './commands/jws/index.js'
import { registerJwt } from './commands/jwt/index.js'
import { registerKeys } from './commands/keys/index.js'
import { registerServe } from './commands/serve/index.js'
import { examples } from './lib/command.js'

export const VERSION = '0.1.0'

const EXIT_CODES = `
Exit codes:
  0  success
  1  verification failed: a token, signature, ciphertext or key set did not pass, or a server refused
  2  usage error: unknown option, missing argument, unreadable or unusable file
  3  a server could not be reached

A value of - reads stdin. Data goes to stdout, diagnostics to stderr. Colours only on a terminal,
never with NO_COLOR set.`

/** The whole command tree. Settings given here (exit override, output) are inherited by every subcommand. */
export function buildProgram(): Command {
  const program = new Command('tessera')
    .description('Keys, tokens and key sets; run and operate the Tessera authority and gateway')
    .version(VERSION)
    .exitOverride()
    .showSuggestionAfterError()
  examples(program, [
    'tessera keys generate --alg ES256 --out signing.json',
    'tessera jwt sign --key signing.json --sub user-42 --aud api | tessera jwt inspect -',
  ])
  program.addHelpText('after', EXIT_CODES)
  registerKeys(program)
  registerJwt(program)
  registerJws(program)
  registerJwe(program)
  registerJwks(program)
  registerServe(program)
  registerGateway(program)
  registerAdmin(program)
  registerCompletion(program)
  return program
}
