import { compactDecrypt, decryptThenVerifyJWT } from '@tessera/jose'
import type { Command } from 'commander'
import { collect, examples, withJSON } from '../../lib/command.js'
import { failure, usageError } from '../../lib/exit.js'
import { readToken } from '../../lib/input.js'
import { describeRefusal, refusal } from '../../lib/jose-error.js'
import { loadVerificationKey } from '../../lib/key-file.js'
import { note, out, outJSON, paint, pretty } from '../../lib/output.js'
import { loadJWEKey } from './jwe-key.js'

interface Options {
  key: string
  alg: string[]
  enc: string[]
  verifyKey?: string
  verifyAlg: string[]
  iss: string[]
  aud: string[]
  json?: boolean
}

export function addDecrypt(jwe: Command): void {
  const command = jwe
    .command('decrypt')
    .description('decrypt a compact JWE; with --verify-key, verify the nested JWT inside it too')
    .argument('[jwe]', 'the JWE, or - for stdin (the default)', '-')
    .requiredOption('--key <file>', 'the private key (JWK or PEM), secret, or PBES2 password file')
    .requiredOption(
      '--alg <alg>',
      'accepted key management algorithm (repeat for several): required allowlist',
      collect,
    )
    .requiredOption(
      '--enc <enc>',
      'accepted content encryption (repeat for several): required allowlist',
      collect,
    )
    .option('--verify-key <file>', "nested JWT: the issuer's verification key (JWK, JWK set or PEM)")
    .option(
      '--verify-alg <alg>',
      'nested JWT: accepted signature algorithm (repeat for several)',
      collect,
      [],
    )
    .option('--iss <issuer>', 'nested JWT: accepted issuer', collect, [])
    .option('--aud <audience>', 'nested JWT: accepted audience', collect, [])
  withJSON(command)
  examples(command, [
    'tessera jwe decrypt --key enc.json --alg RSA-OAEP-256 --enc A256GCM < secret.jwe',
    'tessera jwe decrypt --key enc.json --alg RSA-OAEP-256 --enc A256GCM --verify-key signing.pub.json --verify-alg ES256 < nested.jwe',
  ])
  command.action(async (jweArg: string, options: Options) => {
    if (options.alg.length === 0 || options.enc.length === 0)
      throw usageError('--alg and --enc each need at least one algorithm')
    if (jweArg === '-' && (options.key === '-' || options.verifyKey === '-'))
      throw usageError('the JWE and a key cannot both read stdin')
    const jwe = readToken(jweArg, 'JWE')
    const key = await loadJWEKey(options.key, options.alg, options.enc, 'decrypt')
    const decryption = { keyManagementAlgorithms: options.alg, contentEncryptionAlgorithms: options.enc }
    try {
      if (options.verifyKey !== undefined) {
        if (options.verifyAlg.length === 0)
          throw usageError('--verify-key needs --verify-alg (the signature allowlist)')
        const verificationKey = await loadVerificationKey(options.verifyKey, options.verifyAlg)
        const result = await decryptThenVerifyJWT(
          jwe,
          { key, ...decryption },
          {
            key: verificationKey,
            algorithms: options.verifyAlg,
            ...(options.iss.length > 0 ? { issuer: options.iss } : {}),
            ...(options.aud.length > 0 ? { audience: options.aud } : {}),
          },
        )
        const view = {
          encryptionHeader: result.encryptionHeader,
          protectedHeader: result.protectedHeader,
          payload: result.payload,
        }
        if (options.json) outJSON({ valid: true, ...view })
        else {
          note(paint(process.stderr, 'green', 'decrypted, and the nested JWT is valid'))
          out(pretty(view))
        }
        return
      }
      const { plaintext, protectedHeader } = await compactDecrypt(jwe, key, decryption)
      const text = Buffer.from(plaintext).toString('utf8')
      if (options.json) {
        outJSON({
          protectedHeader,
          plaintext: text,
          plaintextBase64url: Buffer.from(plaintext).toString('base64url'),
        })
        return
      }
      if (typeof protectedHeader.cty === 'string' && protectedHeader.cty.toUpperCase() === 'JWT') {
        note(
          'note: the plaintext is a nested JWT, not verified; pass --verify-key and --verify-alg to verify it',
        )
      }
      process.stdout.write(plaintext)
    } catch (error) {
      const refused = refusal(error)
      if (refused === undefined) {
        if (error instanceof TypeError) throw usageError(error.message)
        throw error
      }
      if (options.json) outJSON({ valid: false, ...refused })
      throw failure(`cannot decrypt: ${describeRefusal(refused)}`)
    }
  })
}
