import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, type RunningAuthority, startAuthority, tempDir } from './helpers/authority.js'
import { askForCode, signInByCode } from './helpers/people.js'
import { createDatabase } from './helpers/postgres.js'
import { type SmtpCapture, startSmtpCapture } from './helpers/smtp-capture.js'
import { csrfTokenOf, WebClient } from './helpers/web-client.js'

/** The sign-in end to end on PostgreSQL, and the inputs PostgreSQL is stricter about than SQLite. */
const dir = tempDir()
let smtp: SmtpCapture
let running: RunningAuthority

beforeAll(async () => {
  smtp = await startSmtpCapture()
  running = await startAuthority({
    dataDir: dir.path,
    smtpUrl: smtp.url,
    databaseUrl: await createDatabase(),
  })
})
afterAll(async () => {
  await running?.close()
  await smtp?.close()
  dir.remove()
})

describe('sign-in on PostgreSQL', () => {
  it('signs in by code and by link, lists the sessions, signs out everywhere', async () => {
    const first = new WebClient(running.url)
    first.userAgent = 'Mozilla/5.0 \t(X11; Linux) Firefox/140.0'
    await signInByCode(first, smtp, 'pg-user@example.com', `/account?${' '.repeat(1500)}x`)
    const second = new WebClient(running.url)
    await askForCode(second, 'pg-user@example.com')
    const mail = await smtp.next('pg-user@example.com')
    const url = new URL(mail.link ?? '')
    const confirm = await second.get(`${url.pathname}${url.search}`)
    const done = await second.post('/signin/link', {
      csrf_token: csrfTokenOf(confirm.text),
      token: url.searchParams.get('token') ?? '',
    })
    expect(done.status).toBe(303)
    const account = await first.get('/account')
    expect([...account.text.matchAll(/data-session="/g)]).toHaveLength(2)
    const out = await first.post('/account/sign-out-everywhere', { csrf_token: csrfTokenOf(account.text) })
    expect(out.status).toBe(303)
    expect((await second.get('/account')).status).toBe(303)
  })

  it('refuses a NUL or control character in every identifier before it reaches the database', async () => {
    const client = new WebClient(running.url)
    client.cookies.set('tessera-session', `${'A'.repeat(21)}\t${'A'.repeat(21)}`)
    expect((await client.get('/account')).status).toBe(303)
    const search = await fetch(`${running.url}/admin/users?email=%00`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    })
    expect(search.status).toBe(400)
    const byId = await fetch(`${running.url}/admin/users/usr_%00`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    })
    expect(byId.status).toBe(404)
    const link = await client.get('/signin/link?token=%00')
    expect(link.status).toBe(400)
    const page = await client.get('/signin')
    const nul = await client.post('/signin', {
      csrf_token: csrfTokenOf(page.text),
      email: 'a\u0000@example.com',
    })
    expect(nul.status).toBe(400)
  })
})
