import type { Command } from 'commander'
import { examples, withJSON } from '../../lib/command.js'
import { usageError } from '../../lib/exit.js'
import { out, outJSON, table } from '../../lib/output.js'
import { type AdminOptions, adminClient, type Json } from './api.js'

interface ListOptions {
  email?: string
  limit?: string
  after?: string
  json?: boolean
}

const userPath = (id: string) => `/admin/users/${encodeURIComponent(id)}`

export function registerUsers(admin: Command): void {
  const users = admin
    .command('users')
    .description('find, disable, enable and delete the people who sign in at the authority')
  examples(users, ['tessera admin users list --email @example.com'])

  const list = users
    .command('list')
    .description('list users, oldest first, a page at a time')
    .option('--email <text>', 'only addresses containing this text')
    .option('--limit <n>', 'users per page, 1 to 100 (default 50)')
    .option('--after <user_id>', 'the page after this user (the "next" of the previous page)')
  withJSON(list)
  examples(list, [
    'tessera admin users list',
    'tessera admin users list --email grace@ --json',
    'tessera admin users list --limit 100 --after usr_…',
  ])
  list.action(async (options: ListOptions, command: Command) => {
    if (options.limit !== undefined && !/^\d{1,3}$/.test(options.limit))
      throw usageError('--limit must be a whole number from 1 to 100')
    const query = new URLSearchParams()
    if (options.email !== undefined) query.set('email', options.email)
    if (options.limit !== undefined) query.set('limit', options.limit)
    if (options.after !== undefined) query.set('after', options.after)
    const search = query.size > 0 ? `?${query}` : ''
    const page = await adminClient(command.optsWithGlobals<AdminOptions>()).request(
      'GET',
      `/admin/users${search}`,
    )
    if (options.json) return outJSON(page)
    out(
      table([
        ['id', 'email', 'status', 'created', 'last sign-in'],
        ...(page.users as Json[]).map((user) => [
          user.id,
          `${user.email}${user.email_verified ? '' : ' (unverified)'}`,
          user.status,
          user.created_at ?? '-',
          user.last_login_at ?? '-',
        ]),
      ]),
    )
    if (page.next) out(`next page: --after ${page.next}`)
  })

  const disable = users
    .command('disable')
    .description('disable a user: signed out everywhere, refresh tokens revoked, no more sign-ins')
    .argument('<user_id>')
  withJSON(disable)
  examples(disable, ['tessera admin users disable usr_…'])
  disable.action(async (id: string, options: { json?: boolean }, command: Command) => {
    const user = await adminClient(command.optsWithGlobals<AdminOptions>()).request(
      'POST',
      `${userPath(id)}/disable`,
    )
    if (options.json) return outJSON(user)
    out(
      `disabled ${user.id} (${user.email}): ${user.sessions_ended} sessions ended, ${user.refresh_families_revoked} refresh families revoked`,
    )
  })

  const enable = users
    .command('enable')
    .description('let a disabled user sign in again')
    .argument('<user_id>')
  withJSON(enable)
  examples(enable, ['tessera admin users enable usr_…'])
  enable.action(async (id: string, options: { json?: boolean }, command: Command) => {
    const user = await adminClient(command.optsWithGlobals<AdminOptions>()).request(
      'POST',
      `${userPath(id)}/enable`,
    )
    if (options.json) return outJSON(user)
    out(`enabled ${user.id} (${user.email})`)
  })

  const remove = users
    .command('delete')
    .description('delete a user and everything they hold: sessions, refresh tokens, the account')
    .argument('<user_id>')
  withJSON(remove)
  examples(remove, ['tessera admin users delete usr_…'])
  remove.action(async (id: string, options: { json?: boolean }, command: Command) => {
    await adminClient(command.optsWithGlobals<AdminOptions>()).request('DELETE', userPath(id))
    if (options.json) return outJSON({ id, deleted: true })
    out(`deleted ${id}`)
  })
}
