import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createStorage } from '../src/storage/create-storage.js'
import type { BrowserSessionRecord, SignInFlowRecord, Storage, UserRecord } from '../src/storage/types.js'
import { createDatabase } from './helpers/postgres.js'

const user = (n: number, email: string, createdAt = 1000 + n): UserRecord => ({
  id: `usr_${String(n).padStart(22, '0')}`,
  email,
  emailVerified: false,
  status: 'active',
  createdAt,
  lastLoginAt: null,
})

const session = (id: string, userId: string, at = 10_000): BrowserSessionRecord => ({
  id,
  secretHash: `hash-${id}`,
  userId,
  authTime: at,
  amr: '["otp"]',
  csrfToken: `csrf-${id}`,
  createdAt: at,
  lastSeenAt: at,
  idleExpiresAt: at + 1000,
  expiresAt: at + 5000,
  userAgent: 'Firefox',
  address: '127.0.0.1',
})

const flow = (id: string, overrides: Partial<SignInFlowRecord> = {}): SignInFlowRecord => ({
  id,
  email: 'flow@example.com',
  returnTo: '/account',
  codeHash: `code-${id}`,
  linkHash: `link-${id}`,
  attempts: 0,
  issuedAt: 1000,
  expiresAt: 601_000,
  consumedAt: null,
  address: '127.0.0.1',
  ...overrides,
})

/** The same suite on every dialect: users, browser sessions and pre-login flows mean the same on each. */
const dialects: [string, () => Promise<string>][] = [
  ['sqlite', async () => 'sqlite::memory:'],
  ['postgres', createDatabase],
]

describe.each(dialects)('people storage contract: %s', (_name, databaseUrl) => {
  let storage: Storage

  beforeAll(async () => {
    storage = createStorage(await databaseUrl())
    await storage.migrate()
  })
  afterAll(async () => {
    await storage?.close()
  })

  it('keeps emails unique: a second insert of the address (or the id) writes nothing', async () => {
    expect(await storage.insertUser(user(1, 'ann@example.com'))).toBe(true)
    expect(await storage.insertUser(user(2, 'ann@example.com'))).toBe(false)
    expect(await storage.insertUser({ ...user(1, 'other@example.com') })).toBe(false)
    expect(await storage.findUserByEmail('ann@example.com')).toEqual(user(1, 'ann@example.com'))
    expect(await storage.findUser(user(2, '').id)).toBeUndefined()
  })

  it('searches emails by substring with literal wildcards, in creation order with keyset pages', async () => {
    await storage.insertUser(user(3, 'bob_1@example.com'))
    await storage.insertUser(user(4, 'bobx1@example.com'))
    await storage.insertUser(user(5, 'carol%@example.com'))
    const bobs = await storage.listUsers({ emailContains: 'bob_', limit: 10 })
    expect(bobs.map((u) => u.email)).toEqual(['bob_1@example.com'])
    expect((await storage.listUsers({ emailContains: '%', limit: 10 })).map((u) => u.email)).toEqual([
      'carol%@example.com',
    ])
    const all = await storage.listUsers({ limit: 2 })
    expect(all.map((u) => u.id)).toEqual([user(1, '').id, user(3, '').id])
    const next = await storage.listUsers({ limit: 10, after: { createdAt: 1003, id: user(3, '').id } })
    expect(next.map((u) => u.id)).toEqual([user(4, '').id, user(5, '').id])
  })

  it('updates status, verification and last login; deleting a user deletes their sessions', async () => {
    const updated = await storage.updateUser(user(1, '').id, {
      status: 'disabled',
      emailVerified: true,
      lastLoginAt: 2_000_000_000_000,
    })
    expect(updated).toMatchObject({ status: 'disabled', emailVerified: true, lastLoginAt: 2_000_000_000_000 })
    expect(await storage.updateUser('usr_missing', { status: 'active' })).toBeUndefined()
    await storage.insertBrowserSession(session('ses_del', user(1, '').id))
    expect(await storage.deleteUser(user(1, '').id)).toBe(true)
    expect(await storage.deleteUser(user(1, '').id)).toBe(false)
    expect(await storage.findBrowserSession('hash-ses_del')).toBeUndefined()
  })

  it('stores browser sessions by secret hash; ends one only for its owner, or all of a user', async () => {
    const owner = user(3, '').id
    await storage.insertBrowserSession(session('ses_a', owner))
    await storage.insertBrowserSession(session('ses_b', owner, 20_000))
    await storage.insertBrowserSession(session('ses_c', user(4, '').id))
    expect(await storage.findBrowserSession('hash-ses_a')).toEqual(session('ses_a', owner))
    await storage.touchBrowserSession('ses_a', 30_000, 31_000)
    expect(await storage.findBrowserSession('hash-ses_a')).toMatchObject({
      lastSeenAt: 30_000,
      idleExpiresAt: 31_000,
    })
    expect((await storage.listBrowserSessions(owner)).map((s) => s.id)).toEqual(['ses_a', 'ses_b'])
    expect(await storage.deleteBrowserSession('ses_c', owner)).toBe(false)
    expect(await storage.deleteBrowserSession('ses_b', owner)).toBe(true)
    expect((await storage.deleteBrowserSessionsOf(owner)).sort()).toEqual(['ses_a'])
    expect(await storage.deleteBrowserSessionsOf(owner)).toEqual([])
    expect(await storage.findBrowserSession('hash-ses_c')).toBeDefined()
  })

  it('purges sessions past their idle or absolute timeout, and expired flows', async () => {
    const owner = user(5, '').id
    await storage.insertBrowserSession({
      ...session('ses_idle', owner),
      idleExpiresAt: 100,
      expiresAt: 10_000_000,
    })
    await storage.insertBrowserSession({
      ...session('ses_old', owner),
      idleExpiresAt: 10_000_000,
      expiresAt: 100,
    })
    await storage.insertBrowserSession({
      ...session('ses_live', owner),
      idleExpiresAt: 10_000_000,
      expiresAt: 10_000_000,
    })
    await storage.saveSignInFlow(flow('flow-old', { expiresAt: 100 }))
    await storage.purgeExpired(1000)
    expect((await storage.listBrowserSessions(owner)).map((s) => s.id)).toEqual(['ses_live'])
    expect(await storage.findSignInFlow('flow-old')).toBeUndefined()
  })

  it('replaces a flow on save (a new code invalidates the old) and finds it by link', async () => {
    await storage.saveSignInFlow(flow('flow-1', { attempts: 3 }))
    await storage.saveSignInFlow(flow('flow-1', { codeHash: 'code-new', linkHash: 'link-new' }))
    expect(await storage.findSignInFlow('flow-1')).toEqual(
      flow('flow-1', { codeHash: 'code-new', linkHash: 'link-new', attempts: 0 }),
    )
    expect(await storage.findSignInFlowByLink('link-flow-1')).toBeUndefined()
    expect((await storage.findSignInFlowByLink('link-new'))?.id).toBe('flow-1')
  })

  it('counts code attempts atomically: 12 racing guesses get exactly 5', async () => {
    await storage.saveSignInFlow(flow('flow-race'))
    const results = await Promise.all(
      Array.from({ length: 12 }, () => storage.countCodeAttempt('flow-race', 2000, 5)),
    )
    expect(results.filter((r) => r !== undefined)).toHaveLength(5)
    expect((await storage.findSignInFlow('flow-race'))?.attempts).toBe(5)
    expect(await storage.countCodeAttempt('flow-race', 2000, 5)).toBeUndefined()
    // An expired or consumed proof counts nothing.
    await storage.saveSignInFlow(flow('flow-late'))
    expect(await storage.countCodeAttempt('flow-late', 601_000, 5)).toBeUndefined()
  })

  it('consumes a proof once, only with its own code or link and before it expires', async () => {
    await storage.saveSignInFlow(flow('flow-c'))
    expect(await storage.consumeSignInFlow('flow-c', 2000, { codeHash: 'wrong' })).toBe(false)
    expect(await storage.consumeSignInFlow('flow-c', 601_000, { codeHash: 'code-flow-c' })).toBe(false)
    const racing = await Promise.all([
      storage.consumeSignInFlow('flow-c', 2000, { codeHash: 'code-flow-c' }),
      storage.consumeSignInFlow('flow-c', 2000, { linkHash: 'link-flow-c' }),
      storage.consumeSignInFlow('flow-c', 2000, { linkHash: 'link-flow-c' }),
    ])
    expect(racing.filter(Boolean)).toHaveLength(1)
    expect((await storage.findSignInFlow('flow-c'))?.consumedAt).toBe(2000)
    expect(await storage.countCodeAttempt('flow-c', 2000, 5)).toBeUndefined()
    await storage.deleteSignInFlow('flow-c')
    expect(await storage.findSignInFlow('flow-c')).toBeUndefined()
  })
})
