import { type Kysely, Migrator, sql } from 'kysely'
import * as counters from './kysely-counters.js'
import * as devices from './kysely-devices.js'
import * as encryption from './kysely-encryption.js'
import * as oidc from './kysely-oidc.js'
import * as passkeys from './kysely-passkeys.js'
import * as refresh from './kysely-refresh.js'
import { listRevocations } from './kysely-revocations.js'
import * as sessions from './kysely-sessions.js'
import * as signin from './kysely-signin.js'
import * as users from './kysely-users.js'
import { migrationProvider } from './migrations.js'
import type { Database } from './schema.js'
import type {
  AccessTokenFacts,
  AuditEvent,
  AuthorizationCodeRecord,
  BrowserSessionRecord,
  ClientRecord,
  CodeIssue,
  ConsentRecord,
  Counter,
  CutoffKind,
  DevicePatch,
  DeviceRecord,
  EncryptedTokenRecord,
  KeyRecord,
  KeyState,
  KeyTransition,
  PasskeyCeremony,
  PasskeyChallengeRecord,
  PasskeyRecord,
  PasskeyUse,
  RefreshFamilyRecord,
  RefreshTokenRecord,
  ResourceRecord,
  RevocationLists,
  SignInFlowRecord,
  Storage,
  UserPatch,
  UserQuery,
  UserRecord,
} from './types.js'

type KeyRow = Database['signing_keys']
type ClientRow = Database['clients']

const toKey = (row: KeyRow): KeyRecord => ({
  kid: row.kid,
  alg: row.alg,
  state: row.state as KeyState,
  publicJwk: row.public_jwk,
  sealedPrivateKey: row.sealed_private_key,
  createdAt: Number(row.created_at),
  activatedAt: row.activated_at === null ? null : Number(row.activated_at),
  retiredAt: row.retired_at === null ? null : Number(row.retired_at),
})

const toClient = (row: ClientRow): ClientRecord => ({
  clientId: row.client_id,
  metadata: row.metadata,
  tokenEndpointAuthMethod: row.token_endpoint_auth_method,
  secretHash: row.secret_hash,
  disabled: Number(row.disabled) === 1,
  createdAt: Number(row.created_at),
})

/** A transition lost to another instance; rolls the transaction back. */
class TransitionConflict extends Error {}

/** The Storage interface over Kysely; the dialect differences live in create-storage and migrations. */
export class KyselyStorage implements Storage {
  readonly dialect: 'sqlite' | 'postgres'
  readonly #db: Kysely<Database>

  constructor(db: Kysely<Database>, dialect: 'sqlite' | 'postgres') {
    this.#db = db
    this.dialect = dialect
  }

  async migrate(): Promise<void> {
    const migrator = new Migrator({ db: this.#db, provider: migrationProvider(this.dialect) })
    const { error } = await migrator.migrateToLatest()
    if (error) throw error
  }

  async close(): Promise<void> {
    await this.#db.destroy()
  }

  async getMeta(name: string): Promise<string | undefined> {
    const row = await this.#db.selectFrom('meta').select('value').where('name', '=', name).executeTakeFirst()
    return row?.value
  }

  async initMeta(name: string, value: string): Promise<string> {
    await this.#db
      .insertInto('meta')
      .values({ name, value })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute()
    return (await this.getMeta(name)) as string
  }

  async listKeys(): Promise<KeyRecord[]> {
    const rows = await this.#db.selectFrom('signing_keys').selectAll().orderBy('created_at').execute()
    return rows.map(toKey)
  }

  async insertKey(key: KeyRecord): Promise<void> {
    await this.#db
      .insertInto('signing_keys')
      .values({
        kid: key.kid,
        alg: key.alg,
        state: key.state,
        public_jwk: key.publicJwk,
        sealed_private_key: key.sealedPrivateKey,
        created_at: key.createdAt,
        activated_at: key.activatedAt,
        retired_at: key.retiredAt,
      })
      .execute()
  }

  async transitionKeys(transitions: readonly KeyTransition[]): Promise<boolean> {
    try {
      await this.#db.transaction().execute(async (trx) => {
        for (const { kid, from, to, at } of transitions) {
          const set: Partial<KeyRow> = { state: to }
          if (to === 'current') set.activated_at = at
          if (to === 'retired' || to === 'revoked') set.retired_at = at
          const result = await trx
            .updateTable('signing_keys')
            .set(set)
            .where('kid', '=', kid)
            .where('state', '=', from)
            .executeTakeFirst()
          if (Number(result.numUpdatedRows) !== 1) throw new TransitionConflict()
        }
      })
      return true
    } catch (error) {
      if (error instanceof TransitionConflict) return false
      throw error
    }
  }

  async deleteKey(kid: string): Promise<void> {
    await this.#db.deleteFrom('signing_keys').where('kid', '=', kid).execute()
  }

  async acquireLease(name: string, holder: string, now: number, until: number): Promise<boolean> {
    // Insert when absent; otherwise take over only if we hold it already or it has lapsed. The
    // conditional update is atomic in both dialects, so exactly one contender wins.
    await this.#db
      .insertInto('leases')
      .values({ name, holder: '', expires_at: 0 })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute()
    const result = await this.#db
      .updateTable('leases')
      .set({ holder, expires_at: until })
      .where('name', '=', name)
      .where((eb) => eb.or([eb('holder', '=', holder), eb('expires_at', '<=', now)]))
      .executeTakeFirst()
    return Number(result.numUpdatedRows) === 1
  }

  async insertClient(client: ClientRecord): Promise<void> {
    await this.#db
      .insertInto('clients')
      .values({
        client_id: client.clientId,
        metadata: client.metadata,
        token_endpoint_auth_method: client.tokenEndpointAuthMethod,
        secret_hash: client.secretHash,
        disabled: client.disabled ? 1 : 0,
        created_at: client.createdAt,
      })
      .execute()
  }

  async findClient(clientId: string): Promise<ClientRecord | undefined> {
    const row = await this.#db
      .selectFrom('clients')
      .selectAll()
      .where('client_id', '=', clientId)
      .executeTakeFirst()
    return row ? toClient(row) : undefined
  }

  async listClients(): Promise<ClientRecord[]> {
    return (await this.#db.selectFrom('clients').selectAll().orderBy('created_at').execute()).map(toClient)
  }

  async setClientDisabled(clientId: string, disabled: boolean): Promise<boolean> {
    const result = await this.#db
      .updateTable('clients')
      .set({ disabled: disabled ? 1 : 0 })
      .where('client_id', '=', clientId)
      .executeTakeFirst()
    return Number(result.numUpdatedRows) === 1
  }

  async revokeToken(jti: string, expiresAt: number): Promise<void> {
    await this.#db
      .insertInto('revoked_tokens')
      .values({ jti, expires_at: expiresAt })
      .onConflict((oc) => oc.column('jti').doNothing())
      .execute()
  }

  listRevocations(now: number, relevantSince: number): Promise<RevocationLists> {
    return listRevocations(this.#db, now, relevantSince)
  }

  async isTokenRevoked(jti: string): Promise<boolean> {
    const row = await this.#db
      .selectFrom('revoked_tokens')
      .select('jti')
      .where('jti', '=', jti)
      .executeTakeFirst()
    return row !== undefined
  }

  async useOnce(id: string, expiresAt: number): Promise<boolean> {
    const result = await this.#db
      .insertInto('used_ids')
      .values({ id, expires_at: expiresAt })
      .onConflict((oc) => oc.column('id').doNothing())
      .executeTakeFirst()
    return Number(result.numInsertedOrUpdatedRows ?? 0) === 1
  }

  hitCounter(key: string, windowMs: number, now: number): Promise<Counter> {
    return counters.hitCounter(this.#db, key, windowMs, now)
  }

  readCounter(key: string, now: number): Promise<Counter | undefined> {
    return counters.readCounter(this.#db, key, now)
  }

  resetCounter(key: string): Promise<void> {
    return counters.resetCounter(this.#db, key)
  }

  async purgeExpired(now: number): Promise<void> {
    await counters.purgeCounters(this.#db, now)
    await this.#db.deleteFrom('revoked_tokens').where('expires_at', '<', now).execute()
    await this.#db.deleteFrom('used_ids').where('expires_at', '<', now).execute()
    await refresh.purgeRefresh(this.#db, now)
    await oidc.purgeCodes(this.#db, now)
    await sessions.purgeBrowserSessions(this.#db, now)
    await signin.purgeSignInFlows(this.#db, now)
    await encryption.purgeEncryptedTokens(this.#db, now)
    await passkeys.purgePasskeyChallenges(this.#db, now)
  }

  async appendAudit(events: readonly AuditEvent[]): Promise<void> {
    if (events.length === 0) return
    if (this.dialect === 'sqlite') {
      // The batch as one JSON parameter of one unchanging statement: building a multi-row insert
      // through the query builder cost more than SQLite inserting the rows. Array order is id order.
      const rows = JSON.stringify(
        events.map(({ at, event, subject, detail }) => [at, event, subject, detail]),
      )
      await sql`insert into audit_log (at, event, subject, detail)
        select value ->> 0, value ->> 1, value ->> 2, value ->> 3 from json_each(${rows}) order by key`.execute(
        this.#db,
      )
      return
    }
    await this.#db
      .insertInto('audit_log')
      .values(events.map(({ at, event, subject, detail }) => ({ at, event, subject, detail })))
      .execute()
  }

  async purgeAudit(before: number): Promise<number> {
    // audit_log_at indexes `at`, so this is a range delete, however large the log has grown.
    const result = await this.#db.deleteFrom('audit_log').where('at', '<', before).executeTakeFirst()
    return Number(result.numDeletedRows)
  }

  async listAudit(limit: number): Promise<AuditEvent[]> {
    const rows = await this.#db
      .selectFrom('audit_log')
      .select(['at', 'event', 'subject', 'detail'])
      .orderBy('id', 'desc')
      .limit(limit)
      .execute()
    return rows.map((row) => ({ ...row, at: Number(row.at) }))
  }

  // Devices, refresh tokens and the kill switch: the queries live in kysely-devices and kysely-refresh.
  insertDevice(device: DeviceRecord) {
    return devices.insertDevice(this.#db, device)
  }
  findDevice(id: string) {
    return devices.findDevice(this.#db, id)
  }
  listDevices() {
    return devices.listDevices(this.#db)
  }
  updateDevice(id: string, patch: DevicePatch) {
    return devices.updateDevice(this.#db, id, patch)
  }
  deleteDevice(id: string) {
    return devices.deleteDevice(this.#db, id)
  }
  insertRefreshFamily(family: RefreshFamilyRecord, first: RefreshTokenRecord) {
    return refresh.insertRefreshFamily(this.#db, family, first)
  }
  findRefreshToken(hash: string) {
    return refresh.findRefreshToken(this.#db, hash)
  }
  rotateRefreshToken(presentedHash: string, successor: RefreshTokenRecord, now: number) {
    return refresh.rotateRefreshToken(this.#db, presentedHash, successor, now)
  }
  reissueRefreshToken(
    familyId: string,
    presentedHash: string,
    successor: Omit<RefreshTokenRecord, 'parentHash' | 'generation'>,
    now: number,
  ) {
    return refresh.reissueRefreshToken(this.#db, familyId, presentedHash, successor, now)
  }
  revokeRefreshFamily(familyId: string, now: number, reason: string) {
    return refresh.revokeRefreshFamily(this.#db, familyId, now, reason)
  }
  listRefreshFamilies(deviceId: string) {
    return refresh.listRefreshFamilies(this.#db, deviceId)
  }
  listRefreshTokens(familyId: string) {
    return refresh.listRefreshTokens(this.#db, familyId)
  }
  revokeIssuedBefore(kind: CutoffKind, value: string, before: number, expiresAt: number) {
    return refresh.revokeIssuedBefore(this.#db, kind, value, before, expiresAt)
  }
  latestCutoff(targets: readonly (readonly [CutoffKind, string])[]) {
    return refresh.latestCutoff(this.#db, targets)
  }
  isAccessTokenRevoked(facts: AccessTokenFacts) {
    return refresh.isAccessTokenRevoked(this.#db, facts)
  }

  // Users, browser sessions and pre-login flows: kysely-users, kysely-sessions, kysely-signin.
  insertUser(user: UserRecord) {
    return users.insertUser(this.#db, user)
  }
  findUser(id: string) {
    return users.findUser(this.#db, id)
  }
  findUserByEmail(email: string) {
    return users.findUserByEmail(this.#db, email)
  }
  listUsers(query: UserQuery) {
    return users.listUsers(this.#db, query)
  }
  updateUser(id: string, patch: UserPatch) {
    return users.updateUser(this.#db, id, patch)
  }
  deleteUser(id: string) {
    return users.deleteUser(this.#db, id)
  }
  insertBrowserSession(session: BrowserSessionRecord) {
    return sessions.insertBrowserSession(this.#db, session)
  }
  findBrowserSession(secretHash: string) {
    return sessions.findBrowserSession(this.#db, secretHash)
  }
  touchBrowserSession(id: string, lastSeenAt: number, idleExpiresAt: number) {
    return sessions.touchBrowserSession(this.#db, id, lastSeenAt, idleExpiresAt)
  }
  listBrowserSessions(userId: string) {
    return sessions.listBrowserSessions(this.#db, userId)
  }
  deleteBrowserSession(id: string, userId?: string) {
    return sessions.deleteBrowserSession(this.#db, id, userId)
  }
  deleteBrowserSessionsOf(userId: string) {
    return sessions.deleteBrowserSessionsOf(this.#db, userId)
  }
  saveSignInFlow(flow: SignInFlowRecord) {
    return signin.saveSignInFlow(this.#db, flow)
  }
  findSignInFlow(id: string) {
    return signin.findSignInFlow(this.#db, id)
  }
  findSignInFlowByLink(linkHash: string) {
    return signin.findSignInFlowByLink(this.#db, linkHash)
  }
  countCodeAttempt(id: string, now: number, maxAttempts: number) {
    return signin.countCodeAttempt(this.#db, id, now, maxAttempts)
  }
  consumeSignInFlow(id: string, now: number, proof: { codeHash: string } | { linkHash: string }) {
    return signin.consumeSignInFlow(this.#db, id, now, proof)
  }
  deleteSignInFlow(id: string) {
    return signin.deleteSignInFlow(this.#db, id)
  }
  // Authorization codes, consents and session-bound refresh families: queries in kysely-oidc.
  insertAuthorizationCode(code: AuthorizationCodeRecord) {
    return oidc.insertAuthorizationCode(this.#db, code)
  }
  consumeAuthorizationCode(hash: string, now: number) {
    return oidc.consumeAuthorizationCode(this.#db, hash, now)
  }
  recordCodeIssue(hash: string, issue: CodeIssue) {
    return oidc.recordCodeIssue(this.#db, hash, issue)
  }
  upsertConsent(consent: ConsentRecord) {
    return oidc.upsertConsent(this.#db, consent)
  }
  findConsent(userId: string, clientId: string) {
    return oidc.findConsent(this.#db, userId, clientId)
  }
  listConsents(userId: string) {
    return oidc.listConsents(this.#db, userId)
  }
  deleteConsent(userId: string, clientId: string) {
    return oidc.deleteConsent(this.#db, userId, clientId)
  }
  revokeRefreshFamiliesOf(userId: string, clientId: string, now: number, reason: string) {
    return refresh.revokeRefreshFamiliesOf(this.#db, userId, clientId, now, reason)
  }
  revokeRefreshFamiliesBySession(sessionId: string, now: number, reason: string) {
    return refresh.revokeRefreshFamiliesBySession(this.#db, sessionId, now, reason)
  }

  // The resource registry and the encrypted-token index: queries in kysely-encryption.
  upsertResource(resource: ResourceRecord) {
    return encryption.upsertResource(this.#db, resource)
  }
  findResource(resource: string) {
    return encryption.findResource(this.#db, resource)
  }
  listResources() {
    return encryption.listResources(this.#db)
  }
  deleteResource(resource: string) {
    return encryption.deleteResource(this.#db, resource)
  }
  insertEncryptedToken(token: EncryptedTokenRecord) {
    return encryption.insertEncryptedToken(this.#db, token)
  }
  findEncryptedToken(hash: string, now: number) {
    return encryption.findEncryptedToken(this.#db, hash, now)
  }

  // Passkeys and their challenges: queries in kysely-passkeys.
  insertPasskey(passkey: PasskeyRecord) {
    return passkeys.insertPasskey(this.#db, passkey)
  }
  findPasskey(id: string) {
    return passkeys.findPasskey(this.#db, id)
  }
  listPasskeys(userId: string) {
    return passkeys.listPasskeys(this.#db, userId)
  }
  renamePasskey(id: string, userId: string, name: string) {
    return passkeys.renamePasskey(this.#db, id, userId, name)
  }
  deletePasskey(id: string, userId: string) {
    return passkeys.deletePasskey(this.#db, id, userId)
  }
  revokePasskey(id: string, at: number) {
    return passkeys.revokePasskey(this.#db, id, at)
  }
  recordPasskeyUse(id: string, use: PasskeyUse) {
    return passkeys.recordPasskeyUse(this.#db, id, use)
  }
  insertPasskeyChallenge(challenge: PasskeyChallengeRecord) {
    return passkeys.insertPasskeyChallenge(this.#db, challenge)
  }
  consumePasskeyChallenge(hash: string, ceremony: PasskeyCeremony, boundTo: string, now: number) {
    return passkeys.consumePasskeyChallenge(this.#db, hash, ceremony, boundTo, now)
  }
}
