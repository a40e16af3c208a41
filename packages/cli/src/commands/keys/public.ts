import { exportJWK, type JWK } from '@tessera/jose'
import type { Command } from 'commander'
import { examples, withJSON } from '../../lib/command.js'
import { usageError } from '../../lib/exit.js'
import { loadAnyKey } from '../../lib/key-file.js'
import { out, outJSON, pretty } from '../../lib/output.js'

export async function publicJwkOf(path: string): Promise<JWK> {
  const key = await loadAnyKey(path)
  if (key.type === 'secret') throw usageError(`key file ${path}: a secret key has no public part`)
  return exportJWK(key, { publicOnly: true })
}

export function addPublic(keys: Command): void {
  const command = keys
    .command('public')
    .description('print the public JWK of a private key (JWK or PEM)')
    .argument('<file>', 'key file, or - for stdin')
  withJSON(command)
  examples(command, [
    'tessera keys public signing.json > signing.pub.json',
    'cat key.pem | tessera keys public -',
  ])
  command.action(async (file: string, options: { json?: boolean }) => {
    const jwk = await publicJwkOf(file)
    if (options.json) outJSON(jwk)
    else out(pretty(jwk))
  })
}
