import type { Command } from 'commander'
import { examples } from '../../lib/command.js'
import { addInspect } from './inspect.js'
import { addSign } from './sign.js'
import { addVerify } from './verify.js'

export function registerJwt(program: Command): void {
  const jwt = program.command('jwt').description('sign, verify and inspect JSON Web Tokens')
  examples(jwt, ['tessera jwt sign --key signing.json --sub user-42 | tessera jwt inspect -'])
  addSign(jwt)
  addVerify(jwt)
  addInspect(jwt)
}
