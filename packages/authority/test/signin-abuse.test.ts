import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningAuthority, startAuthority, tempDir } from './helpers/authority.js'
import { askForCode, signInByCode } from './helpers/people.js'
import { type SmtpCapture, startSmtpCapture } from './helpers/smtp-capture.js'
import { csrfTokenOf, errorCodeOf, WebClient } from './helpers/web-client.js'

let smtp: SmtpCapture
beforeAll(async () => {
  smtp = await startSmtpCapture()
})
afterAll(async () => {
  await smtp?.close()
})

async function withAuthority(
  overrides: Record<string, unknown>,
  run: (authority: RunningAuthority) => Promise<void>,
): Promise<void> {
  const dir = tempDir()
  const running = await startAuthority({ dataDir: dir.path, smtpUrl: smtp.url, ...overrides })
  try {
    await run(running)
  } finally {
    await running.close()
    dir.remove()
  }
}

/** The check page with the address taken out: what an observer compares between two answers. */
const shape = (text: string, email: string) =>
  text
    .replaceAll(email, '<email>')
    .replace(/name="csrf_token" value="[^"]+"/g, 'name="csrf_token" value="<token>"')

const settle = () => new Promise((resolve) => setTimeout(resolve, 300))

describe('enumeration-safe answers', () => {
  it('with open sign-up off: known and unknown addresses get the same status and page; only the known gets mail', async () => {
    await withAuthority({ openSignup: false }, async (running) => {
      const known = 'member@example.com'
      await running.authority.context.storage.insertUser({
        id: 'usr_AAAAAAAAAAAAAAAAAAAAAA',
        email: known,
        emailVerified: true,
        status: 'active',
        createdAt: 1,
        lastLoginAt: null,
      })
      const answers: Record<string, { status: number; location: string | null; page: string }> = {}
      for (const email of [known, 'stranger@example.com']) {
        const client = new WebClient(running.url)
        const { sent } = await askForCode(client, email)
        const check = await client.get('/signin/check')
        answers[email] = {
          status: sent.status,
          location: sent.headers.get('location'),
          page: shape(check.text, email),
        }
      }
      const a = answers[known]
      const b = answers['stranger@example.com']
      expect(a?.status).toBe(303)
      expect(b?.status).toBe(a?.status)
      expect(b?.location).toBe(a?.location)
      expect(b?.page).toBe(a?.page)
      await smtp.next(known)
      await settle()
      expect(smtp.messages.some((mail) => mail.to === 'stranger@example.com')).toBe(false)
      // An unknown address's typed "code" leads nowhere either.
      const stranger = new WebClient(running.url)
      const { csrf } = await askForCode(stranger, 'stranger@example.com')
      const guess = await stranger.post('/signin/code', { csrf_token: csrf, code: '12345678' })
      expect(guess.status).toBe(400)
      expect(await running.authority.context.users.findByEmail('stranger@example.com')).toBeUndefined()
    })
  })

  it('a disabled user gets the same answer and no mail', async () => {
    await withAuthority({}, async (running) => {
      const email = 'gone@example.com'
      await running.authority.context.storage.insertUser({
        id: 'usr_BBBBBBBBBBBBBBBBBBBBBB',
        email,
        emailVerified: true,
        status: 'disabled',
        createdAt: 1,
        lastLoginAt: null,
      })
      const client = new WebClient(running.url)
      const { sent } = await askForCode(client, email)
      expect(sent.status).toBe(303)
      expect(sent.headers.get('location')).toBe('/signin/check')
      await settle()
      expect(smtp.messages.some((mail) => mail.to === email)).toBe(false)
    })
  })
})

describe('send rate limits', () => {
  it('allows the documented number of emails per address, then a 429 page with Retry-After — for unknown addresses too', async () => {
    await withAuthority({ signinSendLimitAddress: 2, signinSendLimitIp: 100 }, async (running) => {
      for (const email of ['limited@example.com', 'limited-too@example.com']) {
        const client = new WebClient(running.url)
        const { csrf, sent } = await askForCode(client, email)
        expect(sent.status).toBe(303)
        expect((await client.post('/signin/resend', { csrf_token: csrf })).status).toBe(303)
        const third = await client.post('/signin/resend', { csrf_token: csrf })
        expect(third.status).toBe(429)
        expect(errorCodeOf(third.text)).toBe('too_many_requests')
        expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0)
        // A fresh browser does not reset the address's budget.
        const other = new WebClient(running.url)
        expect((await askForCode(other, email)).sent.status).toBe(429)
      }
    })
  })

  it('limits emails requested from one client address across many addresses', async () => {
    await withAuthority({ signinSendLimitAddress: 100, signinSendLimitIp: 3 }, async (running) => {
      const statuses: number[] = []
      for (let i = 0; i < 4; i++) {
        statuses.push((await askForCode(new WebClient(running.url), `sweep-${i}@example.com`)).sent.status)
      }
      expect(statuses).toEqual([303, 303, 303, 429])
    })
  })
})

describe('per-address request limit', () => {
  it("applies the OAuth endpoints' per-address limit to the forms: a 429 page with Retry-After", async () => {
    await withAuthority({ rateLimitPerAddress: 3 }, async (running) => {
      const client = new WebClient(running.url)
      const statuses: number[] = []
      let last: Awaited<ReturnType<WebClient['post']>> | undefined
      for (let i = 0; i < 4; i++) {
        last = await client.post('/signin', { email: 'flood@example.com' })
        statuses.push(last.status)
      }
      expect(statuses).toEqual([403, 403, 403, 429])
      expect(errorCodeOf(last?.text ?? '')).toBe('too_many_requests')
      expect(Number(last?.headers.get('retry-after'))).toBeGreaterThan(0)
    })
  })
})

describe('bad input on every page form: a 4xx page, never a 500', () => {
  it('refuses malformed, repeated, oversize and mistyped bodies', async () => {
    await withAuthority({}, async (running) => {
      const client = new WebClient(running.url)
      const csrf = csrfTokenOf((await client.get('/signin')).text)
      const origin = { origin: running.url }
      const cases: [string, { body: string; headers: Record<string, string> }, number][] = [
        [
          'json body',
          { body: '{"email":"a@b.c"}', headers: { 'content-type': 'application/json', ...origin } },
          400,
        ],
        ['bad json', { body: '{', headers: { 'content-type': 'application/json', ...origin } }, 400],
        ['text body', { body: 'email=a', headers: { 'content-type': 'text/plain', ...origin } }, 400],
        ['xml body', { body: '<email/>', headers: { 'content-type': 'application/xml', ...origin } }, 415],
        [
          'repeated email',
          {
            body: `csrf_token=${csrf}&email=a%40example.com&email=b%40example.com`,
            headers: { 'content-type': 'application/x-www-form-urlencoded', ...origin },
          },
          400,
        ],
        [
          'oversize',
          {
            body: `csrf_token=${csrf}&email=${'a'.repeat(9000)}`,
            headers: { 'content-type': 'application/x-www-form-urlencoded', ...origin },
          },
          413,
        ],
        [
          'no body',
          { body: '', headers: { 'content-type': 'application/x-www-form-urlencoded', ...origin } },
          403,
        ],
      ]
      for (const [name, init, status] of cases) {
        for (const path of [
          '/signin',
          '/signin/code',
          '/signin/link',
          '/signin/resend',
          '/signout',
          '/account/sign-out-everywhere',
        ]) {
          const answer = await client.request('POST', path, init)
          // Signed out, an empty form to /signout or /account/… is a redirect (nothing to end).
          if (name === 'no body' && !path.startsWith('/signin')) {
            expect(answer.status, `${name} → ${path}`).toBe(303)
            continue
          }
          expect(answer.status, `${name} → ${path}`).toBeGreaterThanOrEqual(400)
          expect(answer.status, `${name} → ${path}`).toBeLessThan(500)
          expect(answer.headers.get('content-type'), `${name} → ${path}`).toBe('text/html; charset=utf-8')
          if (path === '/signin') expect(answer.status, name).toBe(status)
        }
      }
      // (/signout above cleared this browser's cookies, as Clear-Site-Data says; start afresh.)
      const fresh = csrfTokenOf((await client.get('/signin')).text)
      const invalid = await client.post('/signin', { csrf_token: fresh, email: 'not an <address>' })
      expect(invalid.status).toBe(400)
      expect(invalid.text).toContain('aria-invalid="true" aria-describedby="email-error"')
      expect(invalid.text).toContain('value="not an &lt;address&gt;"')
      expect(invalid.text).not.toContain('<address>')
      for (const path of [
        '/signin?return_to=%00',
        '/signin?return_to=a&return_to=b',
        `/signin/check?x=${'%'.repeat(10)}`,
      ]) {
        const answer = await client.get(path)
        expect(answer.status, path).toBeLessThan(500)
      }
    })
  })

  it('keeps return_to on this origin', async () => {
    await withAuthority({}, async (running) => {
      for (const [returnTo, expected] of [
        ['//evil.example/x', '/account'],
        ['/\\evil.example', '/account'],
        ['https://evil.example/', '/account'],
        ['javascript:alert(1)', '/account'],
        ['/authorize?client_id=a&state=b', '/authorize?client_id=a&state=b'],
      ] as const) {
        const client = new WebClient(running.url)
        const { done } = await signInByCode(
          client,
          smtp,
          `rt-${encodeURIComponent(returnTo).length}-${Math.random().toString(36).slice(2)}@example.com`,
          returnTo,
        )
        expect(done.headers.get('location'), returnTo).toBe(expected)
      }
    })
  })
})
