import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AuditLog } from '../src/lib/audit.js'
import { createManualClock } from '../src/lib/clock.js'
import { DatabaseCounters } from '../src/limits/database-counters.js'
import { MemoryCounters } from '../src/limits/memory-counters.js'
import { lockoutCounters } from '../src/lockout/counter-store.js'
import { Lockout } from '../src/lockout/lockout.js'
import type { LockoutPolicy } from '../src/lockout/policy.js'
import { createStorage } from '../src/storage/create-storage.js'
import { ADMIN_TOKEN, type RunningAuthority, startAuthority, tempDir } from './helpers/authority.js'
import { askForCode } from './helpers/people.js'
import { createDatabase } from './helpers/postgres.js'
import { type SmtpCapture, startSmtpCapture } from './helpers/smtp-capture.js'
import { errorCodeOf, WebClient } from './helpers/web-client.js'

const POLICY: LockoutPolicy = {
  accountFailures: 5,
  addressFailures: 20,
  firstWait: 60_000,
  maxWait: 900_000,
  resetAfter: 12 * 3600_000,
  permanentAfter: 0,
}

/** An audit log that only remembers what was recorded. */
function recordingAudit() {
  const events: { event: string; subject: string; detail: Record<string, unknown> }[] = []
  const audit = {
    record: (event: string, subject: string, detail: Record<string, unknown>) => {
      events.push({ event, subject, detail })
    },
  } as unknown as AuditLog
  return { audit, events }
}

describe('lockout policy (Keycloak-style increasing waits)', () => {
  it('locks from the 5th account failure for 60 s, doubling to at most 15 min; a success forgets', async () => {
    const clock = createManualClock(1_000_000)
    const { audit, events } = recordingAudit()
    const lockout = new Lockout({
      store: lockoutCounters(new MemoryCounters(clock.now)),
      policy: POLICY,
      audit,
      now: clock.now,
    })
    const attempt = { method: 'code', account: 'ada@example.com', ip: '192.0.2.1' } as const
    for (let i = 1; i <= 4; i++) expect(await lockout.recordFailure(attempt)).toBeUndefined()
    expect(await lockout.check(attempt)).toBeUndefined()
    expect(await lockout.recordFailure(attempt)).toEqual({ permanent: false, retryAfter: 60 })
    expect(await lockout.check(attempt)).toEqual({ permanent: false, retryAfter: 60 })
    // Another address is refused too: the account is locked, whoever asks.
    expect(await lockout.check({ account: 'ada@example.com', ip: '198.51.100.7' })).toEqual({
      permanent: false,
      retryAfter: 60,
    })
    expect(await lockout.check({ account: 'bob@example.com', ip: '192.0.2.1' })).toBeUndefined()
    const waits: number[] = []
    for (let i = 0; i < 6; i++) {
      clock.advance(901_000)
      expect(await lockout.check(attempt)).toBeUndefined()
      const lock = await lockout.recordFailure(attempt)
      waits.push(lock && !lock.permanent ? lock.retryAfter : 0)
    }
    expect(waits).toEqual([120, 240, 480, 900, 900, 900])
    expect(events.filter((e) => e.event === 'lockout.applied').map((e) => e.detail.wait_s)).toEqual([
      60, 120, 240, 480, 900, 900, 900,
    ])
    clock.advance(901_000)
    await lockout.recordSuccess(attempt)
    for (let i = 1; i <= 4; i++) expect(await lockout.recordFailure(attempt)).toBeUndefined()
  })

  it('counts the address on its own threshold, and a success does not wash the address out', async () => {
    const clock = createManualClock(1_000_000)
    const lockout = new Lockout({
      store: lockoutCounters(new MemoryCounters(clock.now)),
      policy: POLICY,
      audit: recordingAudit().audit,
      now: clock.now,
    })
    for (let i = 0; i < 19; i++) {
      expect(await lockout.recordFailure({ method: 'link', ip: '192.0.2.9' })).toBeUndefined()
    }
    await lockout.recordSuccess({ method: 'link', account: 'eve@example.com', ip: '192.0.2.9' })
    expect(
      await lockout.recordFailure({ method: 'code', account: 'x@example.com', ip: '192.0.2.9' }),
    ).toEqual({
      permanent: false,
      retryAfter: 60,
    })
    expect(await lockout.check({ ip: '192.0.2.9' })).toEqual({ permanent: false, retryAfter: 60 })
  })

  it('is never permanent by default; with permanentAfter the account stays locked until cleared', async () => {
    const clock = createManualClock(1_000_000)
    const lockout = new Lockout({
      store: lockoutCounters(new MemoryCounters(clock.now)),
      policy: { ...POLICY, permanentAfter: 7 },
      audit: recordingAudit().audit,
      now: clock.now,
    })
    const attempt = { method: 'passkey', account: 'usr_1', ip: '192.0.2.1' } as const
    for (let i = 0; i < 7; i++) {
      clock.advance(901_000)
      await lockout.recordFailure(attempt)
    }
    clock.advance(365 * 86_400_000)
    expect(await lockout.check(attempt)).toEqual({ permanent: true })
    await lockout.clear('usr_1')
    expect(await lockout.check(attempt)).toBeUndefined()
  })
})

// The counters' own atomicity (200 concurrent hits, SQLite, PostgreSQL, Redis) is shared-limits.test.ts.
describe('the lockout on database counters: racing failures announce one lock', () => {
  for (const dialect of ['sqlite', 'postgres'] as const) {
    it(`${dialect}: 20 racing failures on two connections start exactly one lockout`, async () => {
      const dir = tempDir()
      const url = dialect === 'sqlite' ? `sqlite:${dir.path}/counters.db` : await createDatabase()
      const a = createStorage(url)
      await a.migrate()
      const b = createStorage(url)
      try {
        const now = Date.now()
        // Two lockouts on two connections: 20 racing failures, exactly one lockout announced.
        const { audit, events } = recordingAudit()
        const lockouts = [a, b].map(
          (storage) =>
            new Lockout({
              store: lockoutCounters(new DatabaseCounters(storage, () => now)),
              policy: POLICY,
              audit,
              now: () => now,
            }),
        )
        await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            (lockouts[i % 2] as Lockout).recordFailure({
              method: 'code',
              account: 'race@example.com',
              ip: `10.0.0.${i}`,
            }),
          ),
        )
        expect(events.filter((e) => e.event === 'signin.failed')).toHaveLength(20)
        const applied = events.filter((e) => e.event === 'lockout.applied')
        expect(applied).toHaveLength(1)
        // Whichever failure at or past the threshold reaches the lock row first announces it.
        expect(applied[0]?.detail).toMatchObject({ scope: 'account', method: 'code', permanent: false })
        expect(Number(applied[0]?.detail.failures)).toBeGreaterThanOrEqual(5)
      } finally {
        await a.close()
        await b.close()
        dir.remove()
      }
    })
  }
})

describe('lockout of the email sign-in, over HTTP', () => {
  let smtp: SmtpCapture
  beforeAll(async () => {
    smtp = await startSmtpCapture()
  })
  afterAll(async () => {
    await smtp?.close()
  })

  it('wrong codes lock the account with Retry-After; no more mail; known and unknown alike; a success resets', async () => {
    const dir = tempDir()
    const clock = createManualClock()
    const running: RunningAuthority = await startAuthority(
      { dataDir: dir.path, smtpUrl: smtp.url, openSignup: false },
      clock,
    )
    try {
      const known = 'member@example.com'
      await running.authority.context.storage.insertUser({
        id: 'usr_AAAAAAAAAAAAAAAAAAAAAA',
        email: known,
        emailVerified: true,
        status: 'active',
        createdAt: 1,
        lastLoginAt: null,
      })
      const answers: { status: number; retryAfter: string | null; page: string }[] = []
      for (const email of [known, 'stranger@example.com']) {
        const client = new WebClient(running.url)
        const statuses: number[] = []
        let csrf = ''
        // Two codes, five wrong guesses each (the code's own limit): ten failures, the default.
        for (let code = 0; code < 2; code++) {
          csrf = (await askForCode(client, email)).csrf
          if (email === known) await smtp.next(known)
          for (let i = 0; i < 5; i++) {
            statuses.push((await client.post('/signin/code', { csrf_token: csrf, code: '00000000' })).status)
          }
        }
        expect(statuses).toEqual(Array(10).fill(400))
        const last = await client.post('/signin/code', { csrf_token: csrf, code: '00000000' })
        expect(last.status).toBe(429)
        expect(last.headers.get('retry-after')).toBe('60')
        expect(errorCodeOf(last.text)).toBe('too_many_requests')
        expect(last.text).toContain('Too many failed sign-in attempts. Try again in 1 minute.')
        // Asking for a new code is refused the same way, and nothing is sent.
        const again = await client.post('/signin', { csrf_token: csrf, email, return_to: '' })
        answers.push({
          status: again.status,
          retryAfter: again.headers.get('retry-after'),
          page: again.text.replaceAll(email, '<email>'),
        })
      }
      expect(answers[0]).toEqual(answers[1])
      expect(answers[0]).toMatchObject({ status: 429, retryAfter: '60' })
      await expect(smtp.next(known, 500)).rejects.toThrow()

      // After the wait, the right code signs in and forgets the failures.
      clock.advance(61_000)
      const client = new WebClient(running.url)
      const { csrf } = await askForCode(client, known)
      const mail = await smtp.next(known)
      expect((await client.post('/signin/code', { csrf_token: csrf, code: mail.code ?? '' })).status).toBe(
        303,
      )
      const lockout = running.authority.context.lockout
      for (let i = 0; i < 9; i++) {
        expect(
          await lockout.recordFailure({ method: 'code', account: known, ip: '192.0.2.1' }),
        ).toBeUndefined()
      }
      await running.authority.context.audit.flush()
      const audit = await running.authority.context.storage.listAudit(200)
      expect(
        audit
          .filter((e) => e.event === 'security.signin_brute_force')
          .map((e) => e.subject)
          .sort(),
      ).toEqual([known, 'stranger@example.com'].sort())
      const metrics = await (
        await fetch(`${running.url}/metrics`, {
          headers: { authorization: `Bearer ${running.authority.context.adminToken}` },
        })
      ).text()
      expect(metrics).toContain('tessera_lockouts_total{scope="account"} 2')
      expect(metrics).toContain('tessera_signin_attempts_total{method="code",outcome="failure"} 29')
      expect(metrics).toContain('tessera_signin_attempts_total{method="code",outcome="success"} 1')
      expect(metrics).toContain('tessera_emails_sent_total{kind="signin",result="sent"} 3')
    } finally {
      await running.close()
      dir.remove()
    }
  })

  it('a permanent lockout (when configured) has no Retry-After and lasts until an admin clears it', async () => {
    const dir = tempDir()
    const clock = createManualClock()
    const running = await startAuthority(
      { dataDir: dir.path, smtpUrl: smtp.url, lockoutFailures: 2, lockoutPermanentAfter: 3 },
      clock,
    )
    try {
      const email = 'perm@example.com'
      for (let i = 0; i < 3; i++) {
        await running.authority.context.lockout.recordFailure({
          method: 'passkey',
          account: email,
          ip: '192.0.2.3',
        })
      }
      clock.advance(30 * 86_400_000)
      const client = new WebClient(running.url)
      const { sent } = await askForCode(client, email)
      expect(sent.status).toBe(429)
      expect(sent.headers.get('retry-after')).toBeNull()
      expect(sent.text).toContain('Ask the operator of this service to unblock it.')
      const clear = (body: unknown, token = ADMIN_TOKEN) =>
        fetch(`${running.url}/admin/lockouts/clear`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        })
      expect(
        (await clear({ account: 'Perm@Example.com' }, 'wrong-token-0123456789abcdefghijklmn')).status,
      ).toBe(401)
      expect((await clear({ account: 42 })).status).toBe(400)
      const cleared = await clear({ account: 'Perm@Example.com' })
      expect(cleared.status).toBe(200)
      expect(await cleared.json()).toEqual({ account: email, cleared: true })
      expect((await askForCode(new WebClient(running.url), email)).sent.status).toBe(303)
      await smtp.next(email)
    } finally {
      await running.close()
      dir.remove()
    }
  })

  it('concurrent bad links from one address on PostgreSQL: exactly 30 counted, one lockout, then 429', async () => {
    const dir = tempDir()
    const running = await startAuthority({ dataDir: dir.path, databaseUrl: await createDatabase() })
    try {
      const bad = () => fetch(`${running.url}/signin/link?token=${'A'.repeat(43)}`)
      const answers = await Promise.all(Array.from({ length: 30 }, bad))
      expect(answers.map((answer) => answer.status)).toEqual(Array(30).fill(400))
      const after = await bad()
      expect(after.status).toBe(429)
      expect(Number(after.headers.get('retry-after'))).toBeGreaterThan(55)
      await running.authority.context.audit.flush()
      const audit = await running.authority.context.storage.listAudit(200)
      expect(audit.filter((e) => e.event === 'signin.failed')).toHaveLength(30)
      expect(audit.filter((e) => e.event === 'lockout.applied')).toHaveLength(1)
    } finally {
      await running.close()
      dir.remove()
    }
  })
})
