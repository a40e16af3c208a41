import { createRemoteJWKSet, type JWKSResolver, type Key, type RemoteJWKSet, verifyJWT } from '@tessera/jose'
import type { Command } from 'commander'
import { collect, examples, withJSON } from '../../lib/command.js'
import { joseDuration } from '../../lib/durations.js'
import { failure, unreachable, usageError } from '../../lib/exit.js'
import { readToken } from '../../lib/input.js'
import { describeRefusal, refusal } from '../../lib/jose-error.js'
import { loadVerificationKey } from '../../lib/key-file.js'
import { note, out, outJSON, paint, pretty } from '../../lib/output.js'
import { checkFetchURL } from '../../lib/url.js'

interface Options {
  key?: string
  jwks?: string
  alg: string[]
  iss: string[]
  aud: string[]
  sub?: string
  typ?: string
  clockTolerance?: string
  maxAge?: string
  require: string[]
  allowNoExp?: boolean
  json?: boolean
}

async function resolveKey(options: Options): Promise<Key | JWKSResolver | RemoteJWKSet> {
  if ((options.key === undefined) === (options.jwks === undefined))
    throw usageError('give exactly one of --key FILE and --jwks URL|FILE')
  if (options.key !== undefined) return loadVerificationKey(options.key, options.alg)
  const source = options.jwks as string
  if (!/^https?:\/\//i.test(source)) return loadVerificationKey(source, options.alg)
  const url = checkFetchURL(source, '--jwks')
  return createRemoteJWKSet(url.href, { allowInsecureHttp: url.protocol === 'http:', timeoutMs: 5000 })
}

export function addVerify(jwt: Command): void {
  const command = jwt
    .command('verify')
    .description('verify a JWT: exit 0 when valid, 1 when not (with the error code and the claim)')
    .argument('[token]', 'the JWT, or - for stdin (the default)', '-')
    .option('--key <file>', 'verification key: JWK, JWK set, SPKI/X.509 PEM, or an HMAC secret file')
    .option('--jwks <url|file>', "the issuer's JWK set: an https URL (http only on loopback) or a file")
    .requiredOption('--alg <alg>', 'accepted algorithm (repeat for several): the allowlist', collect)
    .option('--iss <issuer>', 'accepted issuer (repeat for several)', collect, [])
    .option('--aud <audience>', 'accepted audience (repeat for several)', collect, [])
    .option('--sub <subject>', 'expected subject')
    .option('--typ <typ>', 'expected typ header (at+jwt for access tokens)')
    .option('--clock-tolerance <duration>', 'leeway for exp, nbf and iat', '0')
    .option('--max-age <duration>', 'refuse tokens issued longer ago than this')
    .option('--require <claim>', 'claim that must be present (repeat for several)', collect, [])
    .option('--allow-no-exp', 'accept a token without exp')
  withJSON(command)
  examples(command, [
    'tessera jwt verify "$TOKEN" --key signing.pub.json --alg ES256 --iss https://auth.example --aud api',
    'tessera jwt verify - --jwks https://auth.example/.well-known/jwks.json --alg ES256 < token.txt',
  ])
  command.action(async (tokenArg: string, options: Options) => {
    if (options.alg.length === 0) throw usageError('--alg needs at least one algorithm')
    if (options.alg.includes('none'))
      throw usageError('--alg none: an unsecured token never verifies; use jwt inspect')
    if (tokenArg === '-' && options.key === '-')
      throw usageError('the token and --key cannot both read stdin')
    const token = readToken(tokenArg)
    const key = await resolveKey(options)
    try {
      const { payload, protectedHeader } = await verifyJWT(token, key, {
        algorithms: options.alg,
        ...(options.iss.length > 0 ? { issuer: options.iss } : {}),
        ...(options.aud.length > 0 ? { audience: options.aud } : {}),
        ...(options.sub !== undefined ? { subject: options.sub } : {}),
        ...(options.typ !== undefined ? { typ: options.typ } : {}),
        ...(options.clockTolerance !== undefined
          ? { clockTolerance: joseDuration(options.clockTolerance) }
          : {}),
        ...(options.maxAge !== undefined ? { maxTokenAge: joseDuration(options.maxAge) } : {}),
        ...(options.require.length > 0 ? { requiredClaims: options.require } : {}),
        ...(options.allowNoExp ? { allowMissingExpiration: true } : {}),
      })
      if (options.json) outJSON({ valid: true, protectedHeader, payload })
      else {
        note(paint(process.stderr, 'green', 'valid'))
        out(pretty({ header: protectedHeader, payload }))
      }
    } catch (error) {
      const refused = refusal(error)
      if (refused === undefined) {
        if (error instanceof TypeError) throw usageError(error.message)
        throw error
      }
      // The key set's server, not the token, is what failed: that is "cannot reach a server".
      if (refused.code === 'ERR_JWKS_UNAVAILABLE') {
        const cause = (error as { cause?: { code?: string; message?: string } }).cause
        const reason = cause?.code ? `${cause.code}: ${cause.message}` : refused.message
        throw unreachable(`cannot fetch the JWK set ${options.jwks}: ${reason}`)
      }
      if (options.json) outJSON({ valid: false, ...refused })
      throw failure(`invalid token: ${describeRefusal(refused)}`)
    }
  })
}
