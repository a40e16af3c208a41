import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createStorage } from '../src/storage/create-storage.js'
import type {
  AuthorizationCodeRecord,
  KeyRecord,
  PasskeyRecord,
  RefreshFamilyRecord,
  RefreshTokenRecord,
  Storage,
} from '../src/storage/types.js'
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

const family = (id: string, createdAt = 1000): RefreshFamilyRecord => ({
  id,
  clientId: 'client-1',
  deviceId: 'device-1',
  audience: 'https://issuer.example',
  createdAt,
  expiresAt: 1_000_000,
  revokedAt: null,
  revokeReason: null,
})

const token = (hash: string, familyId: string, parent: RefreshTokenRecord | null): RefreshTokenRecord => ({
  hash,
  familyId,
  parentHash: parent?.hash ?? null,
  issuedFor: parent?.hash ?? null,
  generation: parent ? parent.generation + 1 : 0,
  issuedAt: 1000,
  idleExpiresAt: 500_000,
  consumedAt: null,
  consumedReason: null,
})

const passkey = (id: string, userId: string, createdAt = 1000): PasskeyRecord => ({
  id,
  userId,
  name: 'Laptop',
  publicJwk: '{"kty":"OKP","crv":"Ed25519","x":"AAAA"}',
  thumbprint: `tp-${id.slice(0, 40)}`,
  coseKey: 'pQEBAycgBiFYIA',
  alg: -8,
  signCount: 0,
  transports: '["internal"]',
  aaguid: '00000000-0000-0000-0000-000000000000',
  backupEligible: false,
  backupState: false,
  userVerified: true,
  createdAt,
  lastUsedAt: null,
  revokedAt: null,
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

  it('stores, updates and deletes devices', async () => {
    const device = {
      id: 'device-1',
      publicJwk: '{"kty":"OKP"}',
      thumbprint: 'tp',
      alg: 'Ed25519',
      status: 'active' as const,
      acl: '{"publish":[],"subscribe":[]}',
      metadata: '{}',
      createdAt: 10,
      updatedAt: 10,
    }
    await storage.insertDevice(device)
    await expect(storage.insertDevice(device)).rejects.toThrow()
    expect(await storage.findDevice('device-1')).toEqual(device)
    expect(await storage.updateDevice('device-1', { status: 'disabled', updatedAt: 20 })).toEqual({
      ...device,
      status: 'disabled',
      updatedAt: 20,
    })
    expect(await storage.updateDevice('nope', { updatedAt: 20 })).toBeUndefined()
    expect((await storage.listDevices()).map((d) => d.id)).toEqual(['device-1'])
    expect(await storage.deleteDevice('device-1')).toBe(true)
    expect(await storage.deleteDevice('device-1')).toBe(false)
  })

  it('rotates a refresh token once, whatever the concurrency, and never forks the chain', async () => {
    const first = token('h0', 'f1', null)
    await storage.insertRefreshFamily(family('f1'), first)
    expect(await storage.findRefreshToken('h0')).toEqual({ token: first, family: family('f1') })
    // Sixteen concurrent rotations of one token, each with its own successor: exactly one lands.
    const results = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        storage.rotateRefreshToken('h0', token(`h1-${i}`, 'f1', first), 2000),
      ),
    )
    expect(results.filter(Boolean)).toHaveLength(1)
    const chain = await storage.listRefreshTokens('f1')
    expect(chain).toHaveLength(2)
    expect(chain[0]).toMatchObject({ hash: 'h0', consumedAt: 2000, consumedReason: 'rotated' })
    expect(chain[1]?.parentHash).toBe('h0')
    // Consumed means consumed, and an idle-expired token cannot rotate either.
    expect(await storage.rotateRefreshToken('h0', token('late', 'f1', first), 3000)).toBe(false)
    const head = chain[1] as RefreshTokenRecord
    expect(await storage.rotateRefreshToken(head.hash, token('idle', 'f1', head), 600_000)).toBe(false)
    // Even a successor that names an already-used parent is refused by the database.
    await expect(
      storage.rotateRefreshToken(head.hash, { ...token('fork', 'f1', first), issuedFor: head.hash }, 2500),
    ).resolves.toBe(false)
    expect(await storage.listRefreshTokens('f1')).toHaveLength(2)
  })

  it('re-issues within the grace window by superseding the unused head; racers stay one chain', async () => {
    const first = token('g0', 'f2', null)
    await storage.insertRefreshFamily(family('f2'), first)
    expect(await storage.rotateRefreshToken('g0', token('g1', 'f2', first), 2000)).toBe(true)
    const fresh = (hash: string) => ({ ...token(hash, 'f2', null), issuedFor: 'g0' })
    // Each winning retry supersedes the head it found; losers change nothing. However many win,
    // the chain stays linear with one unconsumed token at its end.
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => storage.reissueRefreshToken('f2', 'g0', fresh(`g2-${i}`), 2100)),
    )
    const winners = results.filter((r) => r !== undefined)
    expect(winners.length).toBeGreaterThanOrEqual(1)
    const chain = await storage.listRefreshTokens('f2')
    expect(chain).toHaveLength(winners.length + 2)
    expect(chain.map((t) => t.generation)).toEqual(chain.map((_, i) => i))
    chain.slice(1).forEach((t, i) => {
      expect(t.parentHash).toBe(chain[i]?.hash)
    })
    expect(chain.map((t) => t.consumedReason)).toEqual([
      'rotated',
      ...Array.from({ length: winners.length }, () => 'superseded'),
      null,
    ])
    // Once the head is used, there is no unused answer to g0 left to supersede.
    const head = chain.at(-1) as RefreshTokenRecord
    expect(await storage.rotateRefreshToken(head.hash, token('g3', 'f2', head), 2200)).toBe(true)
    expect(await storage.reissueRefreshToken('f2', 'g0', fresh('g4'), 2300)).toBeUndefined()
  })

  it('revokes families, by id and by kill switch, and answers access-token revocation in one query', async () => {
    expect(await storage.revokeRefreshFamily('f1', 5000, 'reuse')).toBe(true)
    expect(await storage.revokeRefreshFamily('f1', 5001, 'reuse')).toBe(false)
    expect((await storage.findRefreshToken('h0'))?.family).toMatchObject({
      revokedAt: 5000,
      revokeReason: 'reuse',
    })
    await storage.insertRefreshFamily(family('f3', 7000), token('k0', 'f3', null))
    // f2 (created 1000) and f3 (7000) belong to device-1; f1 was already revoked.
    expect(await storage.revokeIssuedBefore('device', 'device-1', 6000, 9_000_000)).toBe(1)
    expect((await storage.listRefreshFamilies('device-1')).map((f) => [f.id, f.revokedAt !== null])).toEqual([
      ['f1', true],
      ['f2', true],
      ['f3', false],
    ])
    expect(await storage.latestCutoff([['device', 'device-1']])).toBe(6000)
    expect(await storage.latestCutoff([['client', 'client-1']])).toBeUndefined()
    const facts = { jti: 'j-1', issuedAt: 5000, sub: 'device-1', clientId: 'client-9', device: true }
    expect(await storage.isAccessTokenRevoked(facts)).toBe(true)
    expect(await storage.isAccessTokenRevoked({ ...facts, issuedAt: 6000 })).toBe(false)
    expect(await storage.isAccessTokenRevoked({ ...facts, device: false })).toBe(false)
    await storage.revokeToken('j-1', 9_000_000)
    expect(await storage.isAccessTokenRevoked({ ...facts, issuedAt: 6000 })).toBe(true)
    await storage.purgeExpired(9_500_000)
    expect(await storage.latestCutoff([['device', 'device-1']])).toBeUndefined()
    expect(await storage.listRefreshFamilies('device-1')).toEqual([])
  })

  it('consumes an authorization code once; a replay learns what the first exchange issued', async () => {
    const code = (hash: string, expiresAt = 100_000): AuthorizationCodeRecord => ({
      hash,
      clientId: 'app-1',
      userId: 'usr_1',
      sessionId: 'ses_1',
      redirectUri: 'https://app.example/cb',
      scope: 'openid email',
      nonce: 'n-1',
      codeChallenge: 'c'.repeat(43),
      authTime: 1,
      amr: ['otp', 'email'],
      createdAt: 1000,
      expiresAt,
      consumedAt: null,
    })
    await storage.insertAuthorizationCode(code('code-a'))
    await storage.insertAuthorizationCode(code('code-b', 2000))
    const outcomes = await Promise.all(
      Array.from({ length: 5 }, () => storage.consumeAuthorizationCode('code-a', 1500)),
    )
    const consumed = outcomes.filter((o) => o.outcome === 'consumed')
    expect(consumed).toEqual([{ outcome: 'consumed', code: { ...code('code-a'), consumedAt: 1500 } }])
    expect(outcomes.filter((o) => o.outcome === 'replayed')).toHaveLength(4)
    // A replay before the first exchange recorded its tokens: that exchange must not hand them out.
    expect(
      await storage.recordCodeIssue('code-a', {
        accessJti: 'j1',
        accessExpiresAt: 9000,
        refreshFamilyId: 'f1',
      }),
    ).toBe(false)
    expect(await storage.consumeAuthorizationCode('code-a', 1600)).toEqual({
      outcome: 'replayed',
      code: { ...code('code-a'), consumedAt: 1500 },
      issued: { accessJti: 'j1', accessExpiresAt: 9000, refreshFamilyId: 'f1' },
    })
    expect(await storage.consumeAuthorizationCode('code-b', 2000)).toEqual({ outcome: 'expired' })
    expect(await storage.consumeAuthorizationCode('nope', 1000)).toEqual({ outcome: 'unknown' })
    await storage.insertAuthorizationCode(code('code-c'))
    await storage.consumeAuthorizationCode('code-c', 1500)
    expect(
      await storage.recordCodeIssue('code-c', {
        accessJti: 'j2',
        accessExpiresAt: 9000,
        refreshFamilyId: null,
      }),
    ).toBe(true)
    // Kept a day past expiry so late replays still revoke; then purged.
    await storage.purgeExpired(100_000 + 86_400_000 + 1)
    expect(await storage.consumeAuthorizationCode('code-c', 1700)).toEqual({ outcome: 'unknown' })
  })

  it('remembers, widens, lists and deletes consents per user and client', async () => {
    await storage.upsertConsent({ userId: 'usr_c', clientId: 'app-2', scope: 'openid', grantedAt: 10 })
    await storage.upsertConsent({ userId: 'usr_c', clientId: 'app-1', scope: 'openid', grantedAt: 20 })
    await storage.upsertConsent({ userId: 'usr_c', clientId: 'app-2', scope: 'openid email', grantedAt: 30 })
    await storage.upsertConsent({ userId: 'usr_other', clientId: 'app-2', scope: 'openid', grantedAt: 5 })
    expect(await storage.findConsent('usr_c', 'app-2')).toEqual({
      userId: 'usr_c',
      clientId: 'app-2',
      scope: 'openid email',
      grantedAt: 30,
    })
    expect((await storage.listConsents('usr_c')).map((c) => c.clientId)).toEqual(['app-1', 'app-2'])
    expect(await storage.deleteConsent('usr_c', 'app-2')).toBe(true)
    expect(await storage.deleteConsent('usr_c', 'app-2')).toBe(false)
    expect(await storage.findConsent('usr_c', 'app-2')).toBeUndefined()
    expect(await storage.findConsent('usr_other', 'app-2')).toBeDefined()
  })

  it("keeps a user family's grant, and revokes by session, by user and client, and by subject", async () => {
    const userFamily = (id: string, sessionId: string, clientId = 'app-1'): RefreshFamilyRecord => ({
      ...family(id),
      clientId,
      deviceId: '',
      user: { userId: 'usr_r', sessionId, scope: 'openid offline_access', authTime: 77, amr: ['email'] },
    })
    await storage.insertRefreshFamily(userFamily('uf-1', 'ses_a'), token('uh-1', 'uf-1', null))
    await storage.insertRefreshFamily(userFamily('uf-2', 'ses_a', 'app-2'), token('uh-2', 'uf-2', null))
    await storage.insertRefreshFamily(userFamily('uf-3', 'ses_b'), token('uh-3', 'uf-3', null))
    await storage.insertRefreshFamily(userFamily('uf-4', 'ses_c'), token('uh-4', 'uf-4', null))
    expect((await storage.findRefreshToken('uh-1'))?.family).toEqual(userFamily('uf-1', 'ses_a'))
    expect(await storage.revokeRefreshFamiliesBySession('ses_a', 5000, 'session-ended')).toBe(2)
    expect(await storage.revokeRefreshFamiliesBySession('ses_a', 5000, 'session-ended')).toBe(0)
    expect((await storage.findRefreshToken('uh-2'))?.family.revokeReason).toBe('session-ended')
    expect(await storage.revokeRefreshFamiliesOf('usr_r', 'app-1', 5000, 'consent-revoked')).toBe(2)
    expect((await storage.findRefreshToken('uh-3'))?.family.revokeReason).toBe('consent-revoked')
    await storage.insertRefreshFamily(userFamily('uf-5', 'ses_d', 'app-3'), token('uh-5', 'uf-5', null))
    expect(await storage.revokeIssuedBefore('subject', 'usr_r', 6000, 9_000_000)).toBe(1)
    expect((await storage.findRefreshToken('uh-5'))?.family.revokeReason).toBe('kill-switch:subject')
  })

  it('never moves a kill-switch cut-off backwards (issue 11 item 8)', async () => {
    await storage.revokeIssuedBefore('client', 'cutoff-mono', 5000, 10_000_000)
    await storage.revokeIssuedBefore('client', 'cutoff-mono', 3000, 9_000_000)
    expect(await storage.latestCutoff([['client', 'cutoff-mono']])).toBe(5000)
    await storage.revokeIssuedBefore('client', 'cutoff-mono', 7000, 8_000_000)
    expect(await storage.latestCutoff([['client', 'cutoff-mono']])).toBe(7000)
    // The longest keep-until wins too: a later, shorter one does not drop the cut-off early.
    await storage.purgeExpired(9_500_000)
    expect(await storage.latestCutoff([['client', 'cutoff-mono']])).toBe(7000)
    await storage.purgeExpired(10_000_001)
    expect(await storage.latestCutoff([['client', 'cutoff-mono']])).toBeUndefined()
  })

  it('purges audit events older than the retention cut-off (issue 11 item 9)', async () => {
    const event = (at: number) => ({ at, event: 'test.retention', subject: 'retention', detail: '{}' })
    await storage.purgeAudit(Number.MAX_SAFE_INTEGER)
    expect(await storage.listAudit(10)).toEqual([])
    await storage.appendAudit([event(1000), event(2000), event(5000)])
    expect(await storage.purgeAudit(3000)).toBe(2)
    const left = (await storage.listAudit(1000)).filter((e) => e.event === 'test.retention')
    expect(left.map((e) => e.at)).toEqual([5000])
  })

  it('registers, replaces, lists and deletes resources (issue 18, 0006-encryption-keys)', async () => {
    const resource = {
      resource: 'https://api.example/records',
      name: 'Records',
      jwks: '{"keys":[]}',
      jwksUri: null,
      alg: 'ECDH-ES+A256KW',
      enc: 'A256GCM',
      createdAt: 1000,
      updatedAt: 1000,
    }
    expect(await storage.findResource(resource.resource)).toBeUndefined()
    await storage.upsertResource(resource)
    expect(await storage.findResource(resource.resource)).toEqual(resource)
    // A replacement changes the key and keeps the first registration time.
    const replaced = {
      ...resource,
      jwks: null,
      jwksUri: 'https://api.example/jwks',
      createdAt: 5000,
      updatedAt: 5000,
    }
    await storage.upsertResource(replaced)
    expect(await storage.findResource(resource.resource)).toEqual({ ...replaced, createdAt: 1000 })
    await storage.upsertResource({ ...resource, resource: 'https://api.example/a' })
    expect((await storage.listResources()).map((r) => r.resource)).toEqual([
      'https://api.example/a',
      'https://api.example/records',
    ])
    expect(await storage.deleteResource(resource.resource)).toBe(true)
    expect(await storage.deleteResource(resource.resource)).toBe(false)
    expect(await storage.findResource(resource.resource)).toBeUndefined()
  })

  it('keeps encrypted tokens by hash until they expire, then purges them', async () => {
    const record = { hash: 'a'.repeat(64), kid: 'kid-1', claims: '{"sub":"s"}', expiresAt: 50_000 }
    await storage.insertEncryptedToken(record)
    expect(await storage.findEncryptedToken(record.hash, 49_999)).toEqual(record)
    expect(await storage.findEncryptedToken(record.hash, 50_000)).toBeUndefined()
    expect(await storage.findEncryptedToken('b'.repeat(64), 0)).toBeUndefined()
    await expect(storage.insertEncryptedToken(record)).rejects.toThrow()
    await storage.purgeExpired(50_001)
    expect(await storage.findEncryptedToken(record.hash, 0)).toBeUndefined()
  })

  it('stores passkeys once per credential id; renames, removes and revokes only as asked (issue 13)', async () => {
    const long = 'A'.repeat(1364)
    expect(await storage.insertPasskey(passkey('cred-1', 'usr_a', 1000))).toBe(true)
    expect(await storage.insertPasskey(passkey(long, 'usr_a', 2000))).toBe(true)
    // The same credential id for anyone else: refused, the first owner's row untouched.
    expect(await storage.insertPasskey({ ...passkey('cred-1', 'usr_b'), name: 'Stolen' })).toBe(false)
    expect(await storage.findPasskey('cred-1')).toEqual(passkey('cred-1', 'usr_a', 1000))
    expect((await storage.listPasskeys('usr_a')).map((p) => p.id)).toEqual(['cred-1', long])
    expect(await storage.listPasskeys('usr_b')).toEqual([])
    expect(await storage.renamePasskey('cred-1', 'usr_b', 'Mine now')).toBe(false)
    expect(await storage.renamePasskey('cred-1', 'usr_a', 'Phone')).toBe(true)
    expect((await storage.findPasskey('cred-1'))?.name).toBe('Phone')
    expect(await storage.deletePasskey(long, 'usr_b')).toBe(false)
    expect(await storage.deletePasskey(long, 'usr_a')).toBe(true)
    expect(await storage.deletePasskey(long, 'usr_a')).toBe(false)
    expect(await storage.revokePasskey('cred-1', 5000)).toBe(true)
    expect(await storage.revokePasskey('cred-1', 6000)).toBe(false)
    expect((await storage.findPasskey('cred-1'))?.revokedAt).toBe(5000)
  })

  it('records a passkey use only from the counter it read, and never on a revoked passkey', async () => {
    await storage.insertPasskey(passkey('cred-use', 'usr_c'))
    const use = {
      expectedCount: 0,
      signCount: 7,
      backupEligible: true,
      backupState: true,
      userVerified: true,
      at: 9000,
    }
    const racing = await Promise.all([
      storage.recordPasskeyUse('cred-use', use),
      storage.recordPasskeyUse('cred-use', { ...use, signCount: 8 }),
    ])
    expect(racing.filter(Boolean)).toHaveLength(1)
    const stored = await storage.findPasskey('cred-use')
    expect(stored).toMatchObject({ backupEligible: true, backupState: true, lastUsedAt: 9000 })
    expect([7, 8]).toContain(stored?.signCount)
    const count = stored?.signCount ?? 0
    expect(
      await storage.recordPasskeyUse('cred-use', {
        ...use,
        expectedCount: count,
        signCount: count + 1,
        backupState: false,
      }),
    ).toBe(true)
    expect((await storage.findPasskey('cred-use'))?.backupState).toBe(false)
    await storage.revokePasskey('cred-use', 9500)
    expect(
      await storage.recordPasskeyUse('cred-use', { ...use, expectedCount: count + 1, signCount: count + 2 }),
    ).toBe(false)
  })

  it('consumes a passkey challenge once, only for its ceremony and binding, and says why not', async () => {
    const challenge = {
      hash: 'h-1',
      ceremony: 'authentication' as const,
      boundTo: 'flow-1',
      userId: null,
      createdAt: 1000,
      expiresAt: 2000,
      consumedAt: null,
    }
    await storage.insertPasskeyChallenge(challenge)
    await storage.insertPasskeyChallenge({ ...challenge, hash: 'h-2' })
    expect((await storage.consumePasskeyChallenge('h-1', 'authentication', 'flow-2', 1500)).outcome).toBe(
      'unknown',
    )
    expect((await storage.consumePasskeyChallenge('h-1', 'registration', 'flow-1', 1500)).outcome).toBe(
      'unknown',
    )
    expect((await storage.consumePasskeyChallenge('nope', 'authentication', 'flow-1', 1500)).outcome).toBe(
      'unknown',
    )
    const [first, second] = await Promise.all([
      storage.consumePasskeyChallenge('h-1', 'authentication', 'flow-1', 1500),
      storage.consumePasskeyChallenge('h-1', 'authentication', 'flow-1', 1500),
    ])
    expect([first?.outcome, second?.outcome].sort()).toEqual(['consumed', 'used'])
    expect((await storage.consumePasskeyChallenge('h-1', 'authentication', 'flow-1', 1600)).outcome).toBe(
      'used',
    )
    expect((await storage.consumePasskeyChallenge('h-2', 'authentication', 'flow-1', 2000)).outcome).toBe(
      'expired',
    )
    // Kept an hour past expiry (so a late answer learns why), then purged.
    await storage.purgeExpired(2000 + 3_600_001)
    expect((await storage.consumePasskeyChallenge('h-2', 'authentication', 'flow-1', 2000)).outcome).toBe(
      'unknown',
    )
  })
})
