import {
  calculateJwkThumbprint,
  calculateJwkThumbprintUri,
  exportJWK,
  type ThumbprintDigest,
} from '@tessera/jose'
import type { Command } from 'commander'
import { examples, withJSON } from '../../lib/command.js'
import { usageError } from '../../lib/exit.js'
import { loadAnyKey } from '../../lib/key-file.js'
import { out, outJSON } from '../../lib/output.js'

interface Options {
  uri?: boolean
  digest: string
  json?: boolean
}

const DIGESTS = ['sha256', 'sha384', 'sha512']

export function addThumbprint(keys: Command): void {
  const command = keys
    .command('thumbprint')
    .description('print the RFC 7638 JWK thumbprint of a key (of its public part), or the RFC 9278 URI')
    .argument('<file>', 'key file (JWK or PEM), or - for stdin')
    .option('--uri', 'print the urn:ietf:params:oauth:jwk-thumbprint URI (RFC 9278)')
    .option('--digest <hash>', 'sha256, sha384 or sha512', 'sha256')
  withJSON(command)
  examples(command, ['tessera keys thumbprint signing.pub.json', 'tessera keys thumbprint --uri device.json'])
  command.action(async (file: string, options: Options) => {
    if (!DIGESTS.includes(options.digest)) throw usageError(`--digest must be one of ${DIGESTS.join(', ')}`)
    const digest = options.digest as ThumbprintDigest
    const key = await loadAnyKey(file)
    const jwk = await exportJWK(key, key.type === 'private' ? { publicOnly: true } : {})
    const value = options.uri
      ? await calculateJwkThumbprintUri(jwk, digest)
      : await calculateJwkThumbprint(jwk, digest)
    if (options.json)
      outJSON({
        thumbprint: await calculateJwkThumbprint(jwk, digest),
        uri: await calculateJwkThumbprintUri(jwk, digest),
        digest,
      })
    else out(value)
  })
}
