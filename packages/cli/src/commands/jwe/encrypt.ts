import { compactEncrypt, isJOSEError } from '@tessera/jose'
import type { Command } from 'commander'
import { examples, withJSON } from '../../lib/command.js'
import { usageError } from '../../lib/exit.js'
import { readBytes } from '../../lib/input.js'
import { out, outJSON } from '../../lib/output.js'
import { loadJWEKey } from './jwe-key.js'

interface Options {
  key: string
  alg?: string
  enc: string
  kid?: string
  cty?: string
  zip?: boolean
  in: string
  json?: boolean
}

const COMPACT_JWS = /^[\w-]+\.[\w-]+\.[\w-]*$/

export function addEncrypt(jwe: Command): void {
  const command = jwe
    .command('encrypt')
    .description('encrypt a payload (or a signed JWT, as a nested JWT) to a compact JWE')
    .requiredOption(
      '--key <file>',
      "the recipient's public key (JWK or PEM), a secret, or a PBES2 password file",
    )
    .option(
      '--alg <alg>',
      "key management: RSA-OAEP-256, ECDH-ES+A256KW, A256KW, dir, … (default: the key's alg)",
    )
    .option('--enc <enc>', 'content encryption', 'A256GCM')
    .option('--kid <kid>', "kid header (default: the key's kid)")
    .option('--cty <cty>', 'content type (default: JWT when the input is a signed JWT, making a nested JWT)')
    .option('--zip', 'compress with DEFLATE before encrypting')
    .option('--in <file>', 'the plaintext: a file, or - for stdin', '-')
  withJSON(command)
  examples(command, [
    'tessera jwt sign --key signing.json --sub p-42 | tessera jwe encrypt --key enc.pub.json > nested.jwe',
    'tessera jwe encrypt --key enc.pub.json --alg RSA-OAEP-256 --enc A128GCM --in notes.txt',
  ])
  command.action(async (options: Options) => {
    if (options.key === '-' && options.in === '-') throw usageError('--key and --in cannot both read stdin')
    const plaintext = readBytes(options.in, 'plaintext')
    const key = await loadJWEKey(options.key, options.alg ? [options.alg] : [], [options.enc], 'encrypt')
    const alg = options.alg ?? (typeof key === 'string' ? undefined : key.alg)
    if (alg === undefined) throw usageError('--alg is required: the key is not bound to an algorithm')
    const kid = options.kid ?? (typeof key === 'string' ? undefined : key.kid)
    const text = plaintext.toString('utf8').trim()
    const cty = options.cty ?? (COMPACT_JWS.test(text) ? 'JWT' : undefined)
    try {
      const jwe = await compactEncrypt(cty === 'JWT' ? text : new Uint8Array(plaintext), key, {
        alg,
        enc: options.enc,
        ...(kid !== undefined ? { kid } : {}),
        ...(cty !== undefined ? { cty } : {}),
        ...(options.zip ? { zip: 'DEF' } : {}),
      })
      if (options.json) outJSON({ jwe })
      else out(jwe)
    } catch (error) {
      if (isJOSEError(error) || error instanceof TypeError)
        throw usageError(`cannot encrypt: ${error.message}`)
      throw error
    }
  })
}
