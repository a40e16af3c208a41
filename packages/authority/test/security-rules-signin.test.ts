import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AuditLog } from '../src/lib/audit.js'
import { createManualClock } from '../src/lib/clock.js'
import { recordPasskeyCounterRegression } from '../src/security-events/passkey-events.js'
import { SecurityMonitor } from '../src/security-events/security-monitor.js'
import { ADMIN_TOKEN, type RunningAuthority, startAuthority, tempDir } from './helpers/authority.js'
import { askForCode } from './helpers/people.js'
import { type SmtpCapture, startSmtpCapture } from './helpers/smtp-capture.js'
import { WebClient } from './helpers/web-client.js'

const dir = tempDir()
let smtp: SmtpCapture
let running: RunningAuthority
let hook: Server
const deliveries: Record<string, unknown>[] = []

beforeAll(async () => {
  smtp = await startSmtpCapture()
  hook = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      deliveries.push(JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>)
      response.writeHead(204).end()
    })
  })
  await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve))
  const alertWebhook = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`
  running = await startAuthority({ dataDir: dir.path, smtpUrl: smtp.url, alertWebhook })
})
afterAll(async () => {
  await running?.close()
  await smtp?.close()
  await new Promise((resolve) => hook?.close(resolve))
  dir.remove()
})

async function fired(rule: string) {
  await running.authority.context.audit.flush()
  const response = await fetch(`${running.url}/admin/security-events`, {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  })
  const { events } = (await response.json()) as {
    events: { rule: string; subject: string; detail: unknown }[]
  }
  return events.filter((event) => event.rule === rule)
}

async function metric(line: string): Promise<string | undefined> {
  const text = await (
    await fetch(`${running.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })
  ).text()
  return text.split('\n').find((row) => row.startsWith(line))
}

describe('sign-in security rules: audit event, metric and webhook', () => {
  it('passkey counter regression: one event fires the rule, with the user and the credential', async () => {
    recordPasskeyCounterRegression(running.authority.context.audit, {
      userId: 'usr_BBBBBBBBBBBBBBBBBBBBBB',
      credentialId: 'cred-1',
      stored: 6,
      presented: 3,
      address: '192.0.2.4',
    })
    expect(await fired('passkey_counter_regression')).toEqual([
      expect.objectContaining({
        subject: 'usr_BBBBBBBBBBBBBBBBBBBBBB',
        detail: { credential: 'cred-1', stored: 6, presented: 3, address: '192.0.2.4' },
      }),
    ])
    expect(await metric('tessera_security_events_total{rule="passkey_counter_regression"}')).toMatch(/ 1$/)
    await expect
      .poll(() => deliveries.map((delivery) => delivery.rule))
      .toContain('passkey_counter_regression')
  })

  it('email flood per address: the 10th request for one address within 15 minutes fires once', async () => {
    const email = 'flooded@example.com'
    const statuses: number[] = []
    for (let i = 0; i < 10; i++) {
      const { sent } = await askForCode(new WebClient(running.url), email)
      statuses.push(sent.status)
    }
    // The send limit (5 an hour) refuses half of them; the rule counts every request.
    expect(statuses).toEqual([...Array(5).fill(303), ...Array(5).fill(429)])
    expect(await fired('email_flood_address')).toEqual([
      expect.objectContaining({ subject: email, detail: { requests: 10, window_s: 900 } }),
    ])
    await expect.poll(() => deliveries.map((delivery) => delivery.subject)).toContain(email)
    for (let i = 0; i < 5; i++) await smtp.next(email)
    await expect.poll(() => metric('tessera_emails_sent_total{kind="signin",result="sent"}')).toMatch(/ 5$/)
  })

  it('email flood overall: 200 sign-in emails sent within 5 minutes fire the global rule', () => {
    const clock = createManualClock(0)
    const recorded: string[] = []
    const audit = { record: (event: string) => recorded.push(event) } as unknown as AuditLog
    const monitor = new SecurityMonitor(audit, clock, undefined)
    for (let i = 0; i < 199; i++) {
      monitor.observe('signin.email_requested', `p${i}@example.com`, { outcome: 'sent' })
      clock.advance(1000)
    }
    // Requests that sent nothing do not count towards the global rule.
    monitor.observe('signin.email_requested', 'q@example.com', { outcome: 'limited' })
    expect(recorded).toEqual([])
    monitor.observe('signin.email_requested', 'last@example.com', { outcome: 'sent' })
    expect(recorded).toEqual(['security.email_flood_global'])
    // Spread over more than the window, they do not.
    const slow = new SecurityMonitor(audit, clock, undefined)
    recorded.length = 0
    for (let i = 0; i < 400; i++) {
      slow.observe('signin.email_requested', `s${i}@example.com`, { outcome: 'sent' })
      clock.advance(2000)
    }
    expect(recorded).toEqual([])
  })
})
