import type { Command } from 'commander'
import { examples } from '../../lib/command.js'
import { addConvert } from './convert.js'
import { addGenerate } from './generate.js'
import { addPublic } from './public.js'
import { addThumbprint } from './thumbprint.js'

export function registerKeys(program: Command): void {
  const keys = program.command('keys').description('generate, convert and fingerprint keys')
  examples(keys, ['tessera keys generate --alg ES256 --out signing.json'])
  addGenerate(keys)
  addPublic(keys)
  addThumbprint(keys)
  addConvert(keys)
}
