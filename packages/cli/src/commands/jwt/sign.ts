import { isJOSEError, signJWT } from '@tessera/jose'
import type { Command } from 'commander'
import { collect, examples, withJSON } from '../../lib/command.js'
import { joseDuration } from '../../lib/durations.js'
import { usageError } from '../../lib/exit.js'
import { readJSONObject } from '../../lib/input.js'
import { loadKey } from '../../lib/key-file.js'
import { out, outJSON } from '../../lib/output.js'

interface Options {
  key: string
  alg?: string
  kid?: string
  typ?: string
  claims?: string
  header?: string
  iss?: string
  sub?: string
  aud: string[]
  exp: string | false
  nbf?: string
  jti?: string | true
  iat: boolean
  json?: boolean
}

export function addSign(jwt: Command): void {
  const command = jwt
    .command('sign')
    .description('sign a JWT with a private key or a secret')
    .requiredOption(
      '--key <file>',
      'signing key: JWK, PKCS#8 PEM, or a file holding an HMAC secret (- for stdin)',
    )
    .option('--alg <alg>', "JWS algorithm (default: the key's alg)")
    .option('--kid <kid>', "kid header (default: the key's kid)")
    .option('--typ <typ>', 'typ header (default JWT; at+jwt for access tokens)')
    .option('--claims <json>', 'claims: JSON, @file, or - for stdin')
    .option('--header <json>', 'more protected header parameters: JSON or @file')
    .option('--iss <issuer>', 'iss claim')
    .option('--sub <subject>', 'sub claim')
    .option('--aud <audience>', 'aud claim (repeat for several)', collect, [])
    .option('--exp <duration>', 'lifetime from now: 90, 15m, 2h, 7d', '15m')
    .option('--no-exp', 'leave out exp (verifiers refuse such tokens unless told otherwise)')
    .option('--nbf <duration>', 'not valid before now plus this')
    .option('--jti [id]', 'jti claim (a random UUID when no value is given)')
    .option('--no-iat', 'leave out the iat claim')
  withJSON(command)
  examples(command, [
    'tessera jwt sign --key signing.json --iss https://auth.example --sub user-42 --aud api --exp 15m',
    `tessera jwt sign --key signing.json --claims '{"scope":"read"}' --jti`,
    'echo \'{"role":"admin"}\' | tessera jwt sign --key hmac.secret --alg HS256 --claims -',
  ])
  command.action(async (options: Options) => {
    if (options.key === '-' && options.claims === '-')
      throw usageError('--key and --claims cannot both read stdin')
    const claims = options.claims === undefined ? {} : readJSONObject(options.claims, '--claims')
    const header = options.header === undefined ? undefined : readJSONObject(options.header, '--header')
    if (options.key === '-' && options.claims === '-')
      throw usageError('--key and --claims cannot both read stdin')
    const key = await loadKey(options.key, options.alg, 'sign')
    const alg = options.alg ?? key.alg
    if (alg === undefined) throw usageError('--alg is required: the key is not bound to an algorithm')
    const kid = options.kid ?? key.kid
    let token: string
    try {
      token = await signJWT(claims, key, {
        alg,
        ...(kid !== undefined ? { kid } : {}),
        ...(options.typ !== undefined ? { typ: options.typ } : {}),
        ...(header !== undefined ? { header } : {}),
        ...(options.iss !== undefined ? { issuer: options.iss } : {}),
        ...(options.sub !== undefined ? { subject: options.sub } : {}),
        ...(options.aud.length > 0
          ? { audience: options.aud.length === 1 ? (options.aud[0] as string) : options.aud }
          : {}),
        ...(options.exp !== false ? { expiresIn: joseDuration(options.exp) } : {}),
        ...(options.nbf !== undefined ? { notBefore: joseDuration(options.nbf) } : {}),
        ...(options.jti !== undefined ? { jti: options.jti } : {}),
        ...(options.iat ? {} : { iat: false as const }),
      })
    } catch (error) {
      if (isJOSEError(error)) throw usageError(`cannot sign: ${error.code}: ${error.message}`)
      if (error instanceof TypeError) throw usageError(`cannot sign: ${error.message}`)
      throw error
    }
    if (options.json) outJSON({ token })
    else out(token)
  })
}
