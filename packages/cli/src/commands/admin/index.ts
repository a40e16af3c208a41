import type { Command } from 'commander'
import { examples } from '../../lib/command.js'
import { registerAudit } from './audit.js'
import { registerClients } from './clients.js'
import { registerDevices } from './devices.js'
import { registerAdminKeys } from './keys.js'
import { registerKillSwitch } from './kill-switch.js'
import { registerUsers } from './users.js'

export function registerAdmin(program: Command): void {
  const admin = program
    .command('admin')
    .description(
      'operate a running authority over its admin API (token: TESSERA_ADMIN_TOKEN or <data-dir>/admin-token)',
    )
    .option('--url <url>', 'the authority (default: TESSERA_URL, TESSERA_ISSUER, or http://localhost:3000)')
    .option('--data-dir <dir>', 'where to find admin-token (default: TESSERA_DATA_DIR or ./data)')
    .option('--token-file <file>', 'read the admin token from this file')
  examples(admin, [
    'TESSERA_ADMIN_TOKEN=… tessera admin keys list',
    'tessera admin --data-dir ./data clients list',
  ])
  registerClients(admin)
  registerDevices(admin)
  registerAdminKeys(admin)
  registerKillSwitch(admin)
  registerUsers(admin)
  registerAudit(admin)
}
