import {
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  generateSecret,
  isJOSEError,
  type JWK,
  KEY_MANAGEMENT_ALGORITHMS,
  SIGNING_ALGORITHMS,
} from '@tessera/jose'
import type { Command } from 'commander'
import { examples, withJSON } from '../../lib/command.js'
import { usageError } from '../../lib/exit.js'
import { note, out, outJSON, paint, pretty } from '../../lib/output.js'
import { writePrivateFile, writePublicFile } from '../../lib/write-file.js'

interface Options {
  alg: string
  kid?: string
  use?: 'sig' | 'enc'
  crv?: string
  bits?: string
  out?: string
  force?: boolean
  json?: boolean
}

const SECRET_ALGS = /^(HS\d+|A\d+(GCM)?KW|A\d+GCM)$/

/** `pub.json` beside `key.json`: the public half goes next to the private one. */
export function publicPathFor(path: string): string {
  return path.endsWith('.json') ? `${path.slice(0, -5)}.pub.json` : `${path}.pub.json`
}

async function generate(options: Options): Promise<{ privateJwk: JWK; publicJwk: JWK | undefined }> {
  const { alg } = options
  if (alg === 'dir') throw usageError('for "dir", generate the content key itself: --alg A256GCM (the enc)')
  const isEncryption = (KEY_MANAGEMENT_ALGORITHMS as readonly string[]).includes(alg)
  if (!isEncryption && !(SIGNING_ALGORITHMS as readonly string[]).includes(alg) && !SECRET_ALGS.test(alg)) {
    throw usageError(`--alg: unknown algorithm "${alg}"`)
  }
  const use = options.use ?? (isEncryption || /^A\d+GCM$/.test(alg) ? 'enc' : 'sig')
  if (SECRET_ALGS.test(alg) || /^PBES2/.test(alg)) {
    if (/^PBES2/.test(alg)) throw usageError('PBES2 uses a password, not a generated key')
    const secret = await generateSecret(alg)
    const privateJwk = { ...(await exportJWK(secret)), use }
    return { privateJwk: await withKid(privateJwk, options.kid), publicJwk: undefined }
  }
  const bits = options.bits === undefined ? undefined : Number(options.bits)
  const { privateKey } = await generateKeyPair(alg, {
    ...(options.crv !== undefined ? { crv: options.crv } : {}),
    ...(bits !== undefined ? { modulusLength: bits } : {}),
  })
  const privateJwk = await withKid({ ...(await exportJWK(privateKey)), use }, options.kid)
  const publicJwk: JWK = {
    ...(await exportJWK(privateKey, { publicOnly: true })),
    use,
    kid: privateJwk.kid as string,
  }
  return { privateJwk, publicJwk }
}

/** The kid defaults to the RFC 7638 thumbprint: stable, unique, derivable by anyone holding the key. */
async function withKid(jwk: JWK, kid: string | undefined): Promise<JWK> {
  return { ...jwk, kid: kid ?? (await calculateJwkThumbprint(jwk)) }
}

export function addGenerate(keys: Command): void {
  const command = keys
    .command('generate')
    .description('generate a key pair (private JWK, public JWK beside it) or a secret for an algorithm')
    .requiredOption(
      '--alg <alg>',
      'algorithm the key is for: ES256, Ed25519, RS256, PS256, HS256, RSA-OAEP-256, ECDH-ES+A256KW, …',
    )
    .option('--kid <kid>', 'key id (default: the RFC 7638 thumbprint)')
    .option('--use <use>', 'sig or enc (default: from the algorithm)')
    .option('--crv <crv>', 'curve for EdDSA and ECDH-ES (P-256, P-384, P-521, X25519, X448, Ed448)')
    .option('--bits <bits>', 'RSA modulus length (default 2048)')
    .option('--out <file>', 'write the private JWK to FILE (mode 0600) and the public JWK to FILE.pub.json')
    .option('--force', 'replace existing files')
  withJSON(command)
  examples(command, [
    'tessera keys generate --alg ES256 --out signing.json',
    'tessera keys generate --alg Ed25519 --kid device-7 > device.json',
    'tessera keys generate --alg RSA-OAEP-256 --out enc.json',
  ])
  command.action(async (options: Options) => {
    if (options.use !== undefined && options.use !== 'sig' && options.use !== 'enc') {
      throw usageError('--use must be sig or enc')
    }
    let keys: Awaited<ReturnType<typeof generate>>
    try {
      keys = await generate(options)
    } catch (error) {
      if (isJOSEError(error) || error instanceof TypeError) throw usageError(error.message)
      throw error
    }
    const { privateJwk, publicJwk } = keys
    if (options.out !== undefined) {
      writePrivateFile(options.out, `${JSON.stringify(privateJwk, null, 2)}\n`, options.force)
      const publicPath = publicJwk ? publicPathFor(options.out) : undefined
      if (publicPath) writePublicFile(publicPath, `${JSON.stringify(publicJwk, null, 2)}\n`, options.force)
      if (options.json) {
        outJSON({
          kid: privateJwk.kid,
          private: options.out,
          public: publicPath ?? null,
          publicJwk: publicJwk ?? null,
        })
      } else {
        out(`${paint(process.stdout, 'bold', 'kid')} ${privateJwk.kid}`)
        out(`private key: ${options.out} (mode 0600)`)
        if (publicPath) out(`public key:  ${publicPath}`)
      }
      return
    }
    if (process.stdout.isTTY)
      note('note: printing a private key; --out FILE writes it with mode 0600 instead')
    if (options.json) outJSON({ privateJwk, publicJwk: publicJwk ?? null })
    else out(pretty(privateJwk))
  })
}
