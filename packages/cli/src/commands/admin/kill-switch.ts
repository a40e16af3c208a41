import type { Command } from 'commander'
import { examples, withJSON } from '../../lib/command.js'
import { usageError } from '../../lib/exit.js'
import { out, outJSON } from '../../lib/output.js'
import { type AdminOptions, adminClient } from './api.js'

interface Options {
  device?: string
  client?: string
  subject?: string
  json?: boolean
}

export function registerKillSwitch(admin: Command): void {
  const command = admin
    .command('kill-switch')
    .description(
      'revoke everything a device, a client or a subject holds: refresh tokens now, access tokens at introspection',
    )
    .option('--device <id>', 'a device id')
    .option('--client <client_id>', 'a client id')
    .option('--subject <sub>', 'a token subject')
  withJSON(command)
  examples(command, [
    'tessera admin kill-switch --device sensor-17',
    'tessera admin kill-switch --client 5nV4…',
  ])
  command.action(async (options: Options, cmd: Command) => {
    const chosen = (['device', 'client', 'subject'] as const).filter((kind) => options[kind] !== undefined)
    if (chosen.length !== 1) throw usageError('give exactly one of --device, --client and --subject')
    const kind = chosen[0] as 'device' | 'client' | 'subject'
    const result = await adminClient(cmd.optsWithGlobals<AdminOptions>()).request(
      'POST',
      '/admin/kill-switch',
      { [kind]: options[kind] },
    )
    if (options.json) return outJSON(result)
    out(
      `${result.kind} ${result.value}: tokens issued before ${result.revoked_before} revoked (${result.refresh_families_revoked} refresh families)`,
    )
  })
}
