import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createManualClock } from '../src/lib/clock.js'
import { freePort, type RunningAuthority, startAuthority, tempDir } from './helpers/authority.js'
import { askForCode, signInByCode } from './helpers/people.js'
import { type SmtpCapture, startSmtpCapture } from './helpers/smtp-capture.js'
import { csrfTokenOf, errorCodeOf, WebClient } from './helpers/web-client.js'

const dir = tempDir()
let smtp: SmtpCapture
let running: RunningAuthority
let base: string
let counter = 0
const address = (label: string) => `${label}-${++counter}@example.com`

beforeAll(async () => {
  smtp = await startSmtpCapture()
  // An https issuer served over loopback http: the cookies are the production ones (__Host-, Secure).
  const port = await freePort()
  running = await startAuthority(
    { dataDir: dir.path, issuer: `https://127.0.0.1:${port}`, smtpUrl: smtp.url, signinSendLimitIp: 10_000 },
    undefined,
    port,
  )
  base = `http://127.0.0.1:${port}`
})
afterAll(async () => {
  await running?.close()
  await smtp?.close()
  dir.remove()
})

const sessionCookie = (client: WebClient) => client.cookies.get('__Host-tessera-session')

describe('sign-in by one-time code', () => {
  it('creates the user, sets a __Host- session cookie with every attribute, and goes to return_to', async () => {
    const client = new WebClient(base)
    const email = address('Ann')
    const { done, mail } = await signInByCode(client, smtp, email.toUpperCase(), '/account?tab=sessions')
    expect(mail.to).toBe(email.toLowerCase())
    expect(done.headers.get('location')).toBe('/account?tab=sessions')
    const cookie = done.setCookies.find((line) => line.startsWith('__Host-tessera-session='))
    expect(cookie).toMatch(
      /^__Host-tessera-session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax; Secure; Max-Age=2592000$/,
    )
    expect(cookie).not.toMatch(/Domain=/i)
    expect(done.setCookies).toContain(
      '__Host-tessera-signin=; Path=/; HttpOnly; SameSite=Lax; Secure; Max-Age=0',
    )
    const account = await client.get('/account')
    expect(account.status).toBe(200)
    expect(account.text).toContain(email.toLowerCase())
    const user = await running.authority.context.users.findByEmail(email.toLowerCase())
    expect(user).toMatchObject({ emailVerified: true, status: 'active' })
    const [session] = await running.authority.context.sessions.list(user?.id ?? '')
    expect(JSON.parse(session?.amr ?? '')).toEqual(['otp'])
  })

  it('mails 8 digits and stores only HMACs of the code and the link', async () => {
    const client = new WebClient(base)
    const email = address('hmac')
    await askForCode(client, email)
    const mail = await smtp.next(email)
    expect(mail.code).toMatch(/^\d{8}$/)
    const flows = await running.authority.context.storage.findSignInFlowByLink(
      running.authority.context.signin.proofs.linkHash(
        new URL(mail.link ?? '').searchParams.get('token') ?? '',
      ),
    )
    expect(flows?.codeHash).toMatch(/^[0-9a-f]{64}$/)
    expect(flows?.codeHash).not.toContain(mail.code)
    expect(JSON.stringify(flows)).not.toContain(new URL(mail.link ?? '').searchParams.get('token'))
  })

  it('refuses the sixth guess even with the right code: 5 attempts, counted before the check', async () => {
    const client = new WebClient(base)
    const email = address('brute')
    const { csrf } = await askForCode(client, email)
    const mail = await smtp.next(email)
    const wrong = String((Number(mail.code) + 1) % 100_000_000).padStart(8, '0')
    const messages: string[] = []
    for (let i = 0; i < 5; i++) {
      const guess = await client.post('/signin/code', { csrf_token: csrf, code: wrong })
      expect(guess.status).toBe(400)
      messages.push(/<p class="error" id="code-error" role="alert">([^<]*)</.exec(guess.text)?.[1] ?? '')
    }
    expect(messages).toEqual([
      'That code is not right. 4 attempts left.',
      'That code is not right. 3 attempts left.',
      'That code is not right. 2 attempts left.',
      'That code is not right. 1 attempt left.',
      'That code can no longer be used. Send a new code and type the new one.',
    ])
    const right = await client.post('/signin/code', { csrf_token: csrf, code: mail.code ?? '' })
    expect(right.status).toBe(400)
    expect(right.text).toContain('That code can no longer be used.')
    expect(sessionCookie(client)).toBeUndefined()
  })

  it('counts racing guesses atomically: 12 at once spend exactly 5 attempts', async () => {
    const client = new WebClient(base)
    const email = address('race')
    const { csrf } = await askForCode(client, email)
    const mail = await smtp.next(email)
    const wrong = String((Number(mail.code) + 7) % 100_000_000).padStart(8, '0')
    const answers = await Promise.all(
      Array.from({ length: 12 }, () => client.post('/signin/code', { csrf_token: csrf, code: wrong })),
    )
    expect(answers.every((answer) => answer.status === 400)).toBe(true)
    const left = answers.filter((answer) => /attempts? left/.test(answer.text)).length
    expect(left).toBe(4)
    const flow = await running.authority.context.storage.findSignInFlow(
      running.authority.context.signin.proofs.flowId(client.cookies.get('__Host-tessera-signin') ?? ''),
    )
    expect(flow?.attempts).toBe(5)
    const right = await client.post('/signin/code', { csrf_token: csrf, code: mail.code ?? '' })
    expect(right.status).toBe(400)
  })

  it('consumes the code on success: replaying it signs nobody in', async () => {
    const client = new WebClient(base)
    const email = address('replay')
    const { csrf, mail } = await signInByCode(client, smtp, email)
    const first = sessionCookie(client)
    const again = await client.post('/signin/code', { csrf_token: csrf, code: mail.code ?? '' })
    expect(again.status).toBe(403)
    expect(errorCodeOf(again.text)).toBe('csrf_failed')
    expect(again.setCookies.some((line) => line.includes('tessera-session='))).toBe(false)
    expect(sessionCookie(client)).toBe(first)
  })

  it('a new code invalidates the old one', async () => {
    const client = new WebClient(base)
    const email = address('resend')
    const { csrf } = await askForCode(client, email)
    const first = await smtp.next(email)
    const resent = await client.post('/signin/resend', { csrf_token: csrf })
    expect(resent.status).toBe(303)
    expect(resent.headers.get('location')).toBe('/signin/check?sent=1')
    const second = await smtp.next(email)
    expect(second.code).not.toBe(first.code)
    const old = await client.post('/signin/code', { csrf_token: csrf, code: first.code ?? '' })
    expect(old.status).toBe(400)
    expect(old.text).toContain('That code is not right. 4 attempts left.')
    const fresh = await client.post('/signin/code', { csrf_token: csrf, code: second.code ?? '' })
    expect(fresh.status).toBe(303)
    // The first mail's link died with its code.
    const link = await client.get(new URL(first.link ?? '').pathname + new URL(first.link ?? '').search)
    expect(link.status).toBe(400)
  })

  it('accepts the code typed with a space, refuses other shapes without spending an attempt', async () => {
    const client = new WebClient(base)
    const email = address('shape')
    const { csrf } = await askForCode(client, email)
    const mail = await smtp.next(email)
    for (const code of ['1234', 'abcdefgh', '123456789', '']) {
      const answer = await client.post('/signin/code', { csrf_token: csrf, code })
      expect(answer.status).toBe(400)
      expect(answer.text).toContain('Type the 8 digits from the email.')
      expect(answer.text).toContain('aria-invalid="true"')
    }
    const spaced = `${mail.code?.slice(0, 4)} ${mail.code?.slice(4)}`
    expect((await client.post('/signin/code', { csrf_token: csrf, code: spaced })).status).toBe(303)
  })
})

describe('sign-in by magic link', () => {
  const pathOf = (link: string | undefined) => {
    const url = new URL(link ?? '')
    return `${url.pathname}${url.search}`
  }

  it('GET only renders a confirm page (scanners cannot burn it); the POST button signs in', async () => {
    const client = new WebClient(base)
    const email = address('link')
    await askForCode(client, email, '/account')
    const mail = await smtp.next(email)
    const scanner = await client.get(pathOf(mail.link))
    expect(scanner.status).toBe(200)
    const confirm = await client.get(pathOf(mail.link))
    expect(confirm.status).toBe(200)
    expect(confirm.headers.get('referrer-policy')).toBe('no-referrer')
    expect(confirm.text).toContain('<form method="post" action="/signin/link"')
    expect(confirm.setCookies.some((line) => line.includes('tessera-session='))).toBe(false)
    const token = new URL(mail.link ?? '').searchParams.get('token') ?? ''
    const done = await client.post('/signin/link', { csrf_token: csrfTokenOf(confirm.text), token })
    expect(done.status).toBe(303)
    expect(done.headers.get('location')).toBe('/account')
    const user = await running.authority.context.users.findByEmail(email)
    const [session] = await running.authority.context.sessions.list(user?.id ?? '')
    expect(JSON.parse(session?.amr ?? '')).toEqual(['email'])
    // Single use: the same link again, even from the same browser, is expired.
    const replay = await client.get(pathOf(mail.link))
    expect(replay.status).toBe(400)
    expect(replay.text).toContain('expired or was already used')
  })

  it('opened in another browser, it says to type the code there and signs nobody in', async () => {
    const asker = new WebClient(base)
    const email = address('elsewhere')
    await askForCode(asker, email)
    const mail = await smtp.next(email)
    const token = new URL(mail.link ?? '').searchParams.get('token') ?? ''
    const other = new WebClient(base)
    const page = await other.get(pathOf(mail.link))
    expect(page.status).toBe(200)
    expect(page.text).toContain('data-state="other-browser"')
    expect(page.text).toContain('type the code from the email there')
    expect(page.text).not.toContain('action="/signin/link"')
    // Even posting the token with its own pre-login cookie and CSRF token gets it nowhere.
    const own = await other.get('/signin')
    const posted = await other.post('/signin/link', { csrf_token: csrfTokenOf(own.text), token })
    expect(posted.status).toBe(403)
    expect(posted.text).toContain('data-state="other-browser"')
    expect(other.cookies.has('__Host-tessera-session')).toBe(false)
    // The asking browser can still use it.
    const confirm = await asker.get(pathOf(mail.link))
    const done = await asker.post('/signin/link', { csrf_token: csrfTokenOf(confirm.text), token })
    expect(done.status).toBe(303)
  })

  it('refuses a malformed token with a 400 page', async () => {
    const client = new WebClient(base)
    for (const query of ['', '?token=short', '?token=a&token=b', `?token=${'A'.repeat(44)}`]) {
      const answer = await client.get(`/signin/link${query}`)
      expect(answer.status).toBe(400)
      expect(answer.headers.get('content-type')).toBe('text/html; charset=utf-8')
    }
  })
})

describe('CSRF', () => {
  it('refuses a missing or wrong token, and cross-site requests with the right one (login CSRF)', async () => {
    const client = new WebClient(base)
    const page = await client.get('/signin')
    const csrf = csrfTokenOf(page.text)
    const email = address('csrf')
    const attempts: [Record<string, string>, Record<string, string>][] = [
      [{ email }, {}],
      [{ email, csrf_token: 'x'.repeat(43) }, {}],
      [{ email, csrf_token: csrf }, { 'sec-fetch-site': 'cross-site' }],
      [{ email, csrf_token: csrf }, { 'sec-fetch-site': 'same-site' }],
      [{ email, csrf_token: csrf }, { origin: 'https://evil.example' }],
      [{ email, csrf_token: csrf }, { origin: 'null' }],
    ]
    for (const [form, headers] of attempts) {
      const answer = await client.post('/signin', form, headers)
      expect(answer.status, JSON.stringify(headers)).toBe(403)
      expect(errorCodeOf(answer.text)).toBe('csrf_failed')
    }
    // Neither Sec-Fetch-Site nor Origin: not a browser on our page.
    const bare = await client.request('POST', '/signin', {
      body: new URLSearchParams({ email, csrf_token: csrf }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    })
    expect(bare.status).toBe(403)
    // The same form from our own origin goes through.
    const ok = await client.post('/signin', { email, csrf_token: csrf }, { 'sec-fetch-site': 'same-origin' })
    expect(ok.status).toBe(303)
    await smtp.next(email)
  })

  it("refuses another user's CSRF token presented with this session's cookie", async () => {
    const alice = new WebClient(base)
    const bob = new WebClient(base)
    await signInByCode(alice, smtp, address('alice'))
    await signInByCode(bob, smtp, address('bob'))
    const aliceToken = csrfTokenOf((await alice.get('/account')).text)
    const refused = await bob.post('/account/sign-out-everywhere', { csrf_token: aliceToken })
    expect(refused.status).toBe(403)
    expect((await bob.get('/account')).status).toBe(200)
    const logout = await bob.post('/signout', { csrf_token: aliceToken })
    expect(logout.status).toBe(403)
    expect((await bob.get('/account')).status).toBe(200)
  })
})

describe('sessions', () => {
  it('rotates the session id at login: a planted or earlier cookie is never kept', async () => {
    const client = new WebClient(base)
    const planted = 'P'.repeat(43)
    client.cookies.set('__Host-tessera-session', planted)
    const email = address('fixation')
    await signInByCode(client, smtp, email)
    const first = sessionCookie(client)
    expect(first).toBeDefined()
    expect(first).not.toBe(planted)
    // Signing in again in the same browser ends the earlier session and mints a new one.
    await signInByCode(client, smtp, email)
    const second = sessionCookie(client)
    expect(second).not.toBe(first)
    const stale = new WebClient(base)
    stale.cookies.set('__Host-tessera-session', first ?? '')
    expect((await stale.get('/account')).status).toBe(303)
    const user = await running.authority.context.users.findByEmail(email)
    expect(await running.authority.context.sessions.list(user?.id ?? '')).toHaveLength(1)
  })

  it('logout deletes the session, runs the session-end hooks and sends Clear-Site-Data', async () => {
    const ended: string[][] = []
    running.authority.context.sessions.onEnd(async (ids) => {
      ended.push([...ids])
    })
    const client = new WebClient(base)
    const email = address('logout')
    await signInByCode(client, smtp, email)
    const cookie = sessionCookie(client) ?? ''
    const account = await client.get('/account')
    const sessionId = /data-session="(ses_[^"]+)"/.exec(account.text)?.[1]
    const out = await client.post('/signout', { csrf_token: csrfTokenOf(account.text) })
    expect(out.status).toBe(303)
    expect(out.headers.get('location')).toBe('/')
    expect(out.headers.get('clear-site-data')).toBe('"cookies"')
    expect(out.setCookies).toContain(
      '__Host-tessera-session=; Path=/; HttpOnly; SameSite=Lax; Secure; Max-Age=0',
    )
    expect(ended).toContainEqual([sessionId])
    const replay = new WebClient(base)
    replay.cookies.set('__Host-tessera-session', cookie)
    const after = await replay.get('/account')
    expect(after.status).toBe(303)
    expect(after.headers.get('location')).toBe('/signin?return_to=/account')
  })

  it('signs out one session from the account page, or every session at once', async () => {
    const email = address('everywhere')
    const laptop = new WebClient(base)
    const phone = new WebClient(base)
    phone.userAgent = 'Mozilla/5.0 (Linux; Android 14) Chrome/130.0 Mobile'
    const tablet = new WebClient(base)
    await signInByCode(laptop, smtp, email)
    await signInByCode(phone, smtp, email)
    await signInByCode(tablet, smtp, email)
    const account = await laptop.get('/account')
    expect(account.text).toContain('Chrome on Android')
    expect(account.text).toContain('Firefox on Linux <strong>(this browser)</strong>')
    const ids = [...account.text.matchAll(/data-session="(ses_[^"]+)"/g)].map((match) => match[1] ?? '')
    expect(ids).toHaveLength(3)
    const user = await running.authority.context.users.findByEmail(email)
    const sessions = await running.authority.context.sessions.list(user?.id ?? '')
    const phoneId = sessions.find((session) => session.userAgent.includes('Android'))?.id ?? ''
    const csrf = csrfTokenOf(account.text)
    const ended = await laptop.post('/account/sessions/end', { csrf_token: csrf, session_id: phoneId })
    expect(ended.status).toBe(303)
    expect((await phone.get('/account')).status).toBe(303)
    expect((await laptop.get('/account')).status).toBe(200)
    // Another user's session id ends nothing.
    const stranger = new WebClient(base)
    await signInByCode(stranger, smtp, address('stranger'))
    const strangerId = /data-session="(ses_[^"]+)"/.exec((await stranger.get('/account')).text)?.[1] ?? ''
    const refused = await laptop.post('/account/sessions/end', { csrf_token: csrf, session_id: strangerId })
    expect(refused.status).toBe(404)
    expect((await stranger.get('/account')).status).toBe(200)
    const everywhere = await laptop.post('/account/sign-out-everywhere', { csrf_token: csrf })
    expect(everywhere.status).toBe(303)
    expect(everywhere.headers.get('clear-site-data')).toBe('"cookies"')
    expect((await tablet.get('/account')).status).toBe(303)
    expect(await running.authority.context.sessions.list(user?.id ?? '')).toHaveLength(0)
    expect((await stranger.get('/account')).status).toBe(200)
  })
})

describe('timeouts', () => {
  it('ends a session after the idle timeout, and after the absolute lifetime however active', async () => {
    const clock = createManualClock()
    const localDir = tempDir()
    const local = await startAuthority(
      { dataDir: localDir.path, smtpUrl: smtp.url, sessionIdleTimeout: 600, sessionLifetime: 1800 },
      clock,
    )
    try {
      const idle = new WebClient(local.url)
      await signInByCode(idle, smtp, address('idle'))
      clock.advance(599_000)
      expect((await idle.get('/account')).status).toBe(200)
      clock.advance(599_000)
      expect((await idle.get('/account')).status).toBe(200)
      clock.advance(600_001)
      expect((await idle.get('/account')).status).toBe(303)

      const busy = new WebClient(local.url)
      await signInByCode(busy, smtp, address('busy'))
      for (let i = 0; i < 5; i++) {
        clock.advance(350_000)
        expect((await busy.get('/account')).status).toBe(200)
      }
      clock.advance(100_001)
      const late = await busy.get('/account')
      expect(late.status).toBe(303)
    } finally {
      await local.close()
      localDir.remove()
    }
  })

  it('expires the code and the link after 10 minutes', async () => {
    const clock = createManualClock()
    const localDir = tempDir()
    const local = await startAuthority({ dataDir: localDir.path, smtpUrl: smtp.url }, clock)
    try {
      const client = new WebClient(local.url)
      const email = address('late')
      const { csrf } = await askForCode(client, email)
      const mail = await smtp.next(email)
      clock.advance(10 * 60_000 + 1)
      const url = new URL(mail.link ?? '')
      expect((await client.get(`${url.pathname}${url.search}`)).status).toBe(400)
      const code = await client.post('/signin/code', { csrf_token: csrf, code: mail.code ?? '' })
      expect(code.status).toBe(403)
      expect(client.cookies.has('tessera-session')).toBe(false)
    } finally {
      await local.close()
      localDir.remove()
    }
  })
})
