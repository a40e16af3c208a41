import { compactSign, flattenedSign, isJOSEError } from '@tessera/jose'
import type { Command } from 'commander'
import { examples, withJSON } from '../../lib/command.js'
import { usageError } from '../../lib/exit.js'
import { readBytes, readJSONObject } from '../../lib/input.js'
import { loadKey } from '../../lib/key-file.js'
import { out, outJSON } from '../../lib/output.js'

interface Options {
  key: string
  alg?: string
  kid?: string
  header?: string
  in: string
  flattened?: boolean
  detached?: boolean
  json?: boolean
}

export function addSign(jws: Command): void {
  const command = jws
    .command('sign')
    .description('sign any payload as a JWS (compact by default, or flattened JSON)')
    .requiredOption('--key <file>', 'signing key: JWK, PKCS#8 PEM, or an HMAC secret file')
    .option('--alg <alg>', "JWS algorithm (default: the key's alg)")
    .option('--kid <kid>', "kid header (default: the key's kid)")
    .option('--header <json>', 'more protected header parameters: JSON or @file')
    .option('--in <file>', 'the payload: a file, or - for stdin', '-')
    .option('--flattened', 'print the flattened JSON serialization')
    .option('--detached', 'leave the payload out (RFC 7515 Appendix F)')
  withJSON(command)
  examples(command, [
    'echo -n hello | tessera jws sign --key signing.json > hello.jws',
    'tessera jws sign --key signing.json --in document.json --flattened',
  ])
  command.action(async (options: Options) => {
    if (options.key === '-' && options.in === '-') throw usageError('--key and --in cannot both read stdin')
    const payload = new Uint8Array(readBytes(options.in, 'payload'))
    const key = await loadKey(options.key, options.alg, 'sign')
    const alg = options.alg ?? key.alg
    if (alg === undefined) throw usageError('--alg is required: the key is not bound to an algorithm')
    const kid = options.kid ?? key.kid
    const header = {
      ...(options.header === undefined ? {} : readJSONObject(options.header, '--header')),
      alg,
      ...(kid !== undefined ? { kid } : {}),
    }
    try {
      if (options.flattened) {
        const jws = await flattenedSign(payload, key, header)
        if (options.detached) delete (jws as { payload?: string }).payload
        outJSON(jws)
        return
      }
      const jws = await compactSign(payload, key, header, { detached: options.detached === true })
      if (options.json) outJSON({ jws })
      else out(jws)
    } catch (error) {
      if (isJOSEError(error) || error instanceof TypeError) throw usageError(`cannot sign: ${error.message}`)
      throw error
    }
  })
}
