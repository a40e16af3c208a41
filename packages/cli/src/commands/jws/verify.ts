import {
  compactVerify,
  type FlattenedJWS,
  flattenedVerify,
  type GeneralJWS,
  generalVerify,
  type JWSHeaderParameters,
  type KeyResolver,
} from '@tessera/jose'
import type { Command } from 'commander'
import { collect, examples, withJSON } from '../../lib/command.js'
import { failure, usageError } from '../../lib/exit.js'
import { readBytes, readToken } from '../../lib/input.js'
import { describeRefusal, refusal } from '../../lib/jose-error.js'
import { loadVerificationKey } from '../../lib/key-file.js'
import { note, outJSON, paint } from '../../lib/output.js'

interface Options {
  key: string
  alg: string[]
  detachedPayload?: string
  json?: boolean
}

type Verified = { payload: Uint8Array; protectedHeader: JWSHeaderParameters | undefined }

async function verify(jws: string, key: unknown, options: Options): Promise<Verified> {
  const verifyOptions = {
    algorithms: options.alg,
    ...(options.detachedPayload !== undefined
      ? { detachedPayload: new Uint8Array(readBytes(options.detachedPayload, 'detached payload')) }
      : {}),
  }
  if (!jws.startsWith('{')) return compactVerify(jws, key as KeyResolver<string>, verifyOptions)
  if (jws.includes('"signatures"')) return generalVerify(jws, key as KeyResolver<GeneralJWS>, verifyOptions)
  return flattenedVerify(jws, key as KeyResolver<FlattenedJWS>, verifyOptions)
}

export function addVerify(jws: Command): void {
  const command = jws
    .command('verify')
    .description(
      'verify a JWS (compact, flattened or general JSON) and print its payload; exit 1 when it does not verify',
    )
    .argument('[jws]', 'the JWS, or - for stdin (the default)', '-')
    .requiredOption('--key <file>', 'verification key: JWK, JWK set, SPKI/X.509 PEM, or an HMAC secret file')
    .requiredOption('--alg <alg>', 'accepted algorithm (repeat for several): the allowlist', collect)
    .option('--detached-payload <file>', 'the payload of a detached JWS')
  withJSON(command)
  examples(command, ['tessera jws verify --key signing.pub.json --alg ES256 < hello.jws'])
  command.action(async (jwsArg: string, options: Options) => {
    if (options.alg.length === 0) throw usageError('--alg needs at least one algorithm')
    if (jwsArg === '-' && options.key === '-') throw usageError('the JWS and --key cannot both read stdin')
    const jws = readToken(jwsArg, 'JWS')
    const key = await loadVerificationKey(options.key, options.alg)
    let result: Verified
    try {
      result = await verify(jws, key, options)
    } catch (error) {
      const refused = refusal(error)
      if (refused === undefined) {
        if (error instanceof TypeError) throw usageError(error.message)
        throw error
      }
      if (options.json) outJSON({ valid: false, ...refused })
      throw failure(`invalid JWS: ${describeRefusal(refused)}`)
    }
    if (options.json) {
      outJSON({
        valid: true,
        protectedHeader: result.protectedHeader ?? null,
        payload: Buffer.from(result.payload).toString('utf8'),
        payloadBase64url: Buffer.from(result.payload).toString('base64url'),
      })
      return
    }
    note(paint(process.stderr, 'green', 'valid'))
    process.stdout.write(result.payload)
  })
}
