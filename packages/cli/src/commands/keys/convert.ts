import { createPublicKey } from 'node:crypto'
import { exportJWK, type Key } from '@tessera/jose'
import type { Command } from 'commander'
import { examples, withJSON } from '../../lib/command.js'
import { usageError } from '../../lib/exit.js'
import { loadAnyKey, readKeyMaterial } from '../../lib/key-file.js'
import { out, outJSON, pretty } from '../../lib/output.js'
import { writePrivateFile, writePublicFile } from '../../lib/write-file.js'

interface Options {
  to?: 'jwk' | 'pem'
  public?: boolean
  alg?: string
  kid?: string
  out?: string
  force?: boolean
  json?: boolean
}

/** PKCS#8 for a private key, SPKI for a public one (or the public part of a private one). */
function toPEM(key: Key, publicOnly: boolean): string {
  const handle = key.toKeyObject()
  if (handle.type === 'private' && !publicOnly)
    return handle.export({ type: 'pkcs8', format: 'pem' }).toString()
  const publicHandle = handle.type === 'private' ? createPublicKey(handle) : handle
  return publicHandle.export({ type: 'spki', format: 'pem' }).toString()
}

export function addConvert(keys: Command): void {
  const command = keys
    .command('convert')
    .description('convert between PEM (SPKI, PKCS#8, X.509 certificate) and JWK, either way')
    .argument('<file>', 'key file, or - for stdin')
    .option('--to <format>', 'jwk or pem (default: the other one)')
    .option('--public', 'convert only the public part of a private key')
    .option('--alg <alg>', 'bind the JWK to this algorithm (checked to fit the key)')
    .option('--kid <kid>', 'set the JWK kid')
    .option('--out <file>', 'write to FILE (private keys with mode 0600)')
    .option('--force', 'replace an existing --out file')
  withJSON(command)
  examples(command, [
    'tessera keys convert key.pem --alg ES256 > key.json',
    'tessera keys convert cert.pem --to jwk',
    'tessera keys convert signing.json --to pem --public > signing.spki.pem',
  ])
  command.action(async (file: string, options: Options) => {
    if (options.to !== undefined && options.to !== 'jwk' && options.to !== 'pem')
      throw usageError('--to must be jwk or pem')
    const material = readKeyMaterial(file)
    if (material.kind !== 'jwk' && material.kind !== 'pem')
      throw usageError(`key file ${file}: expected one JWK or a PEM document`)
    const to = options.to ?? (material.kind === 'pem' ? 'jwk' : 'pem')
    const key = await loadAnyKey(file, options.alg, material)
    if (key.type === 'secret') throw usageError(`key file ${file}: a secret key has no PEM form`)
    const publicOnly = options.public === true || key.type === 'public'
    let text: string
    if (to === 'pem') {
      text = toPEM(key, publicOnly)
    } else {
      const jwk = {
        ...(await exportJWK(key, { publicOnly })),
        ...(options.kid !== undefined ? { kid: options.kid } : {}),
      }
      text = options.json ? JSON.stringify(jwk, null, 2) : pretty(jwk)
      if (options.out !== undefined) text = JSON.stringify(jwk, null, 2)
    }
    if (options.out !== undefined) {
      if (publicOnly) writePublicFile(options.out, `${text.trimEnd()}\n`, options.force)
      else writePrivateFile(options.out, `${text.trimEnd()}\n`, options.force)
      if (options.json) outJSON({ out: options.out, format: to, private: !publicOnly })
      return
    }
    if (options.json && to === 'pem') outJSON({ pem: text })
    else out(text)
  })
}
