import type { Command } from 'commander'
import { examples, withJSON } from '../../lib/command.js'
import { usageError } from '../../lib/exit.js'
import { out } from '../../lib/output.js'
import { type AdminOptions, adminClient, type Json } from './api.js'

interface Options {
  lines: string
  follow?: boolean
  interval: string
  json?: boolean
}

const keyOf = (event: Json) => `${event.at}|${event.event}|${event.subject}|${event.detail}`

function line(event: Json, json: boolean): string {
  if (json) return JSON.stringify(event)
  const at = typeof event.at === 'number' ? new Date(event.at).toISOString() : String(event.at)
  return `${at}  ${event.event}  ${event.subject}  ${typeof event.detail === 'string' ? event.detail : JSON.stringify(event.detail)}`
}

export function registerAudit(admin: Command): void {
  const audit = admin.command('audit').description('the audit log')
  examples(audit, ['tessera admin audit tail'])
  const tail = audit
    .command('tail')
    .description('print the latest audit events, oldest first; --follow keeps printing new ones')
    .option('-n, --lines <count>', 'how many events (at most 100)', '20')
    .option('-f, --follow', 'poll for new events until interrupted')
    .option('--interval <seconds>', 'polling interval with --follow', '2')
  withJSON(tail)
  examples(tail, ['tessera admin audit tail -n 5', 'tessera admin audit tail --follow --json'])
  tail.action(async (options: Options, command: Command) => {
    const count = Number(options.lines)
    if (!Number.isInteger(count) || count < 1 || count > 100) throw usageError('--lines must be 1 to 100')
    const interval = Number(options.interval)
    if (!(interval >= 0.2 && interval <= 3600)) throw usageError('--interval must be 0.2 to 3600 seconds')
    const client = adminClient(command.optsWithGlobals<AdminOptions>())
    const seen = new Set<string>()
    // The admin API answers newest first; a tail reads oldest first.
    const fetchEvents = async () =>
      ((await client.request('GET', '/admin/audit')).events as Json[]).slice().reverse()
    const first = (await fetchEvents()).slice(-count)
    for (const event of first) seen.add(keyOf(event))
    if (options.json && !options.follow) {
      out(JSON.stringify(first, null, 2))
      return
    }
    for (const event of first) out(line(event, options.json === true))
    while (options.follow) {
      await new Promise((resolve) => setTimeout(resolve, interval * 1000))
      for (const event of await fetchEvents()) {
        if (seen.has(keyOf(event))) continue
        seen.add(keyOf(event))
        out(line(event, options.json === true))
      }
    }
  })
}
