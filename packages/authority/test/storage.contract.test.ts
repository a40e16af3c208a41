import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createStorage } from '../src/storage/create-storage.js'
import type { KeyRecord, Storage } from '../src/storage/types.js'
import { createDatabase } from './helpers/postgres.js'

const key = (kid: string, state: KeyRecord['state'], createdAt = 1000): KeyRecord => ({
  kid,
  alg: 'ES256',
  state,
  publicJwk: `{"kid":"${kid}"}`,
  sealedPrivateKey: 'sealed',
  createdAt,
  activatedAt: state === 'current' ? createdAt : null,
  retiredAt: null,
})

/** One suite, every dialect: the Storage interface means the same thing on each. */
const dialects: [string, () => Promise<string>][] = [
  ['sqlite', async () => 'sqlite::memory:'],
  ['postgres', createDatabase],
]

describe.each(dialects)('storage contract: %s', (_name, databaseUrl) => {
  let storage: Storage

  beforeAll(async () => {
    storage = createStorage(await databaseUrl())
    await storage.migrate()
  })
  afterAll(async () => {
    await storage?.close()
  })

  it('migrates idempotently', async () => {
    await storage.migrate()
    expect(await storage.listKeys()).toEqual([])
  })

  it('keeps the first meta value written', async () => {
    expect(await storage.getMeta('check')).toBeUndefined()
    expect(await storage.initMeta('check', 'first')).toBe('first')
    expect(await storage.initMeta('check', 'second')).toBe('first')
    expect(await storage.getMeta('check')).toBe('first')
  })

  it('stores keys and reads them back in creation order with numeric times', async () => {
    await storage.insertKey(key('b', 'next', 2_000_000_000_000))
    await storage.insertKey(key('a', 'current', 1_700_000_000_000))
    const keys = await storage.listKeys()
    expect(keys.map((k) => k.kid)).toEqual(['a', 'b'])
    expect(keys[0]).toEqual(key('a', 'current', 1_700_000_000_000))
    expect(typeof keys[1]?.createdAt).toBe('number')
  })

  it('applies transitions all or nothing, only from the expected state', async () => {
    const at = 1_800_000_000_000
    expect(
      await storage.transitionKeys([
        { kid: 'a', from: 'current', to: 'retired', at },
        { kid: 'b', from: 'next', to: 'current', at },
      ]),
    ).toBe(true)
    let keys = await storage.listKeys()
    expect(keys.find((k) => k.kid === 'a')).toMatchObject({ state: 'retired', retiredAt: at })
    expect(keys.find((k) => k.kid === 'b')).toMatchObject({ state: 'current', activatedAt: at })

    // A second instance replaying the same plan loses, and changes nothing.
    expect(
      await storage.transitionKeys([
        { kid: 'b', from: 'current', to: 'retired', at: at + 1 },
        { kid: 'a', from: 'next', to: 'current', at: at + 1 },
      ]),
    ).toBe(false)
    keys = await storage.listKeys()
    expect(keys.find((k) => k.kid === 'b')?.state).toBe('current')

    await storage.deleteKey('a')
    expect((await storage.listKeys()).map((k) => k.kid)).toEqual(['b'])
  })

  it('refuses a second current or next key', async () => {
    await expect(storage.insertKey(key('c2', 'current'))).rejects.toThrow()
    await storage.insertKey(key('n1', 'next'))
    await expect(storage.insertKey(key('n2', 'next'))).rejects.toThrow()
    await storage.insertKey(key('r1', 'retired'))
    await storage.insertKey(key('r2', 'retired'))
    for (const kid of ['n1', 'r1', 'r2']) await storage.deleteKey(kid)
  })

  it('grants a lease to one holder until it lapses', async () => {
    expect(await storage.acquireLease('rotation', 'one', 100, 200)).toBe(true)
    expect(await storage.acquireLease('rotation', 'two', 150, 250)).toBe(false)
    expect(await storage.acquireLease('rotation', 'one', 150, 300)).toBe(true)
    expect(await storage.acquireLease('rotation', 'two', 300, 400)).toBe(true)
    expect(await storage.acquireLease('rotation', 'one', 350, 450)).toBe(false)
  })

  it('grants a contended lease to exactly one of many', async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => storage.acquireLease('race', `holder-${i}`, 1000, 2000)),
    )
    expect(results.filter(Boolean)).toHaveLength(1)
  })

  it('stores, finds, lists and disables clients', async () => {
    const client = {
      clientId: 'c1',
      metadata: '{"client_name":"one"}',
      tokenEndpointAuthMethod: 'client_secret_basic',
      secretHash: 'ab'.repeat(32),
      disabled: false,
      createdAt: 5,
    }
    await storage.insertClient(client)
    await expect(storage.insertClient(client)).rejects.toThrow()
    expect(await storage.findClient('c1')).toEqual(client)
    expect(await storage.findClient('nope')).toBeUndefined()
    expect(await storage.setClientDisabled('c1', true)).toBe(true)
    expect(await storage.setClientDisabled('nope', true)).toBe(false)
    expect((await storage.listClients()).map((c) => [c.clientId, c.disabled])).toEqual([['c1', true]])
  })

  it('records revocations and single-use identifiers, and purges expired ones', async () => {
    await storage.revokeToken('jti-1', 1000)
    await storage.revokeToken('jti-1', 1000)
    expect(await storage.isTokenRevoked('jti-1')).toBe(true)
    expect(await storage.isTokenRevoked('jti-2')).toBe(false)
    expect(await storage.useOnce('client:a', 1000)).toBe(true)
    expect(await storage.useOnce('client:a', 1000)).toBe(false)
    expect(await storage.useOnce('client:b', 5000)).toBe(true)
    await storage.purgeExpired(2000)
    expect(await storage.isTokenRevoked('jti-1')).toBe(false)
    expect(await storage.useOnce('client:a', 3000)).toBe(true)
    expect(await storage.useOnce('client:b', 5000)).toBe(false)
  })

  it('appends audit events and lists the newest first', async () => {
    await storage.appendAudit([])
    await storage.appendAudit([
      { at: 1, event: 'key.created', subject: 'k1', detail: '{}' },
      { at: 2, event: 'token.issued', subject: 'c1', detail: '{"jti":"x"}' },
    ])
    expect(await storage.listAudit(10)).toEqual([
      { at: 2, event: 'token.issued', subject: 'c1', detail: '{"jti":"x"}' },
      { at: 1, event: 'key.created', subject: 'k1', detail: '{}' },
    ])
  })
})
