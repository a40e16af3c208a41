import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, type RunningAuthority, startAuthority, tempDir } from './helpers/authority.js'
import { askForCode, signInByCode } from './helpers/people.js'
import { type SmtpCapture, startSmtpCapture } from './helpers/smtp-capture.js'
import { WebClient } from './helpers/web-client.js'

const dir = tempDir()
let smtp: SmtpCapture
let running: RunningAuthority

beforeAll(async () => {
  smtp = await startSmtpCapture()
  running = await startAuthority({ dataDir: dir.path, smtpUrl: smtp.url, signinSendLimitIp: 10_000 })
})
afterAll(async () => {
  await running?.close()
  await smtp?.close()
  dir.remove()
})

async function admin(method: string, path: string, token = ADMIN_TOKEN) {
  const response = await fetch(`${running.url}/admin${path}`, {
    method,
    headers: { authorization: `Bearer ${token}` },
  })
  const text = await response.text()
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} }
}

async function signedInUser(email: string) {
  const client = new WebClient(running.url)
  await signInByCode(client, smtp, email)
  const user = await running.authority.context.users.findByEmail(email)
  if (!user) throw new Error('no user')
  return { client, user }
}

describe('admin users API', () => {
  it('lists and searches by email with keyset pages, and reads one user', async () => {
    const { user } = await signedInUser('list-carol@example.com')
    await signedInUser('list-dave@example.com')
    await signedInUser('other-erin@example.org')
    const found = await admin('GET', '/users?email=LIST-&limit=1')
    expect(found.status).toBe(200)
    expect(found.body.users).toEqual([
      {
        id: user.id,
        email: 'list-carol@example.com',
        email_verified: true,
        status: 'active',
        created_at: new Date(user.createdAt).toISOString(),
        last_login_at: new Date(user.lastLoginAt ?? 0).toISOString(),
      },
    ])
    const next = await admin('GET', `/users?email=list-&limit=1&after=${found.body.next}`)
    expect((next.body.users as { email: string }[]).map((u) => u.email)).toEqual(['list-dave@example.com'])
    expect(next.body.next).toBeNull()
    // LIKE wildcards in the search are literal.
    expect((await admin('GET', '/users?email=%25')).body.users).toEqual([])
    const one = await admin('GET', `/users/${user.id}`)
    expect(one.body).toMatchObject({ id: user.id, email: 'list-carol@example.com', sessions: 1 })
  })

  it('refuses bad queries and unknown ids with the standard error body', async () => {
    expect((await admin('GET', '/users?limit=0')).status).toBe(400)
    expect((await admin('GET', '/users?limit=101')).status).toBe(400)
    expect((await admin('GET', '/users?limit=abc')).status).toBe(400)
    expect((await admin('GET', '/users?sort=email')).body).toEqual({
      error: 'invalid_request',
      error_description: 'unknown query parameter "sort"',
    })
    for (const id of ['usr_AAAAAAAAAAAAAAAAAAAAAA', 'nope', 'usr_%00AAAAAAAAAAAAAAAAAAAA']) {
      const answer = await admin('GET', `/users/${id}`)
      expect(answer.status, id).toBe(404)
      expect(answer.body.error).toBe('not_found')
      expect((await admin('DELETE', `/users/${id}`)).status).toBe(404)
    }
    expect((await admin('GET', '/users', 'wrong-token')).status).toBe(401)
  })

  it('disable ends the sessions and fires the kill switch; the user can no longer sign in until enabled', async () => {
    const { client, user } = await signedInUser('disable-me@example.com')
    const disabled = await admin('POST', `/users/${user.id}/disable`)
    expect(disabled.status).toBe(200)
    expect(disabled.body).toMatchObject({ status: 'disabled', sessions_ended: 1 })
    expect((await client.get('/account')).status).toBe(303)
    expect(await running.authority.context.storage.latestCutoff([['subject', user.id]])).toBeGreaterThan(0)
    const before = smtp.messages.length
    const refused = await askForCode(new WebClient(running.url), 'disable-me@example.com')
    expect(refused.sent.status).toBe(303)
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(smtp.messages.length).toBe(before)
    expect((await admin('POST', `/users/${user.id}/enable`)).body).toMatchObject({ status: 'active' })
    await signInByCode(new WebClient(running.url), smtp, 'disable-me@example.com')
  }, 20_000)

  it('signs a user out everywhere, and delete removes them with the kill switch', async () => {
    const { client, user } = await signedInUser('delete-me@example.com')
    const second = new WebClient(running.url)
    await signInByCode(second, smtp, 'delete-me@example.com')
    const out = await admin('POST', `/users/${user.id}/sign-out-everywhere`)
    expect(out.body).toEqual({ id: user.id, sessions_ended: 2 })
    expect((await client.get('/account')).status).toBe(303)
    expect((await second.get('/account')).status).toBe(303)
    await signInByCode(client, smtp, 'delete-me@example.com')
    expect((await admin('DELETE', `/users/${user.id}`)).status).toBe(204)
    expect((await client.get('/account')).status).toBe(303)
    expect((await admin('GET', `/users/${user.id}`)).status).toBe(404)
    expect(await running.authority.context.storage.listBrowserSessions(user.id)).toEqual([])
    expect(await running.authority.context.storage.latestCutoff([['subject', user.id]])).toBeGreaterThan(0)
    // Signing in again with the address makes a new user with a new id.
    await signInByCode(new WebClient(running.url), smtp, 'delete-me@example.com')
    const again = await running.authority.context.users.findByEmail('delete-me@example.com')
    expect(again?.id).not.toBe(user.id)
  })
})
