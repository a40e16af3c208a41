import type { Command } from 'commander'
import { examples, withJSON } from '../../lib/command.js'
import { out, outJSON, table } from '../../lib/output.js'
import { type AdminOptions, adminClient, type Json } from './api.js'

export function registerAdminKeys(admin: Command): void {
  const keys = admin.command('keys').description("the authority's signing keys: list, rotate now, revoke")
  examples(keys, ['tessera admin keys list'])

  const list = keys.command('list').description('list the signing keys with their states and dates')
  withJSON(list)
  examples(list, ['tessera admin keys list --json'])
  list.action(async (options: { json?: boolean }, command: Command) => {
    const { keys: rows } = await adminClient(command.optsWithGlobals<AdminOptions>()).request(
      'GET',
      '/admin/keys',
    )
    if (options.json) return outJSON(rows)
    out(
      table([
        ['kid', 'alg', 'state', 'created', 'activated', 'retired'],
        ...(rows as Json[]).map((k) => [
          k.kid,
          k.alg,
          k.state,
          k.created_at ?? '-',
          k.activated_at ?? '-',
          k.retired_at ?? '-',
        ]),
      ]),
    )
  })

  const rotate = keys.command('rotate').description('rotate now: the next key signs from now on')
  withJSON(rotate)
  examples(rotate, ['tessera admin keys rotate'])
  rotate.action(async (options: { json?: boolean }, command: Command) => {
    const result = await adminClient(command.optsWithGlobals<AdminOptions>()).request(
      'POST',
      '/admin/keys/rotate',
    )
    if (options.json) return outJSON(result)
    out(`signing key: ${result.signing_kid}`)
  })

  const revoke = keys
    .command('revoke')
    .description('revoke a key: it leaves the JWKS at once and tokens it signed stop verifying')
    .argument('<kid>', 'the key id')
  withJSON(revoke)
  examples(revoke, ['tessera admin keys revoke 3f2a…'])
  revoke.action(async (kid: string, options: { json?: boolean }, command: Command) => {
    const result = await adminClient(command.optsWithGlobals<AdminOptions>()).request(
      'POST',
      `/admin/keys/${encodeURIComponent(kid)}/revoke`,
    )
    if (options.json) return outJSON(result)
    out(`revoked ${result.revoked}; signing key: ${result.signing_kid}`)
  })
}
