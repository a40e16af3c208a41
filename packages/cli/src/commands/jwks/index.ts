import type { Command } from 'commander'
import { examples } from '../../lib/command.js'
import { addFetch } from './fetch.js'
import { addInspect } from './inspect.js'

export function registerJwks(program: Command): void {
  const jwks = program.command('jwks').description('fetch and inspect JWK sets')
  examples(jwks, ['tessera jwks fetch http://localhost:3000/.well-known/jwks.json'])
  addFetch(jwks)
  addInspect(jwks)
}
