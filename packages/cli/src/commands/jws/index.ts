import type { Command } from 'commander'
import { examples } from '../../lib/command.js'
import { addSign } from './sign.js'
import { addVerify } from './verify.js'

export function registerJws(program: Command): void {
  const jws = program.command('jws').description('sign and verify any payload as a JSON Web Signature')
  examples(jws, [
    'echo -n hello | tessera jws sign --key signing.json | tessera jws verify --key signing.pub.json --alg ES256',
  ])
  addSign(jws)
  addVerify(jws)
}
