import type { Command } from 'commander'
import { examples } from '../../lib/command.js'
import { addDecrypt } from './decrypt.js'
import { addEncrypt } from './encrypt.js'

export function registerJwe(program: Command): void {
  const jwe = program
    .command('jwe')
    .description('encrypt and decrypt JSON Web Encryption, nested JWTs included')
  examples(jwe, [
    'echo -n secret | tessera jwe encrypt --key enc.pub.json | tessera jwe decrypt --key enc.json --alg RSA-OAEP-256 --enc A256GCM',
  ])
  addEncrypt(jwe)
  addDecrypt(jwe)
}
