import { CompiledQuery, type Kysely, sql, type Transaction } from 'kysely'
import type { Database } from './schema.js'
import type { AccessTokenFacts, CutoffKind, RefreshFamilyRecord, RefreshTokenRecord } from './types.js'

type FamilyRow = Database['refresh_families']
type TokenRow = Database['refresh_tokens']
const nullableNumber = (value: number | null) => (value === null ? null : Number(value))

const toFamily = (row: FamilyRow): RefreshFamilyRecord => {
  const family: RefreshFamilyRecord = {
    id: row.id,
    clientId: row.client_id,
    deviceId: row.device_id,
    audience: row.audience,
    createdAt: Number(row.created_at),
    expiresAt: Number(row.expires_at),
    revokedAt: nullableNumber(row.revoked_at),
    revokeReason: row.revoke_reason,
  }
  if (row.user_id !== null && row.user_id !== undefined) {
    family.user = {
      userId: row.user_id,
      sessionId: row.session_id ?? '',
      scope: row.scope ?? '',
      authTime: Number(row.auth_time),
      amr: JSON.parse(row.amr ?? '[]') as string[],
    }
  }
  return family
}

const toToken = (row: TokenRow): RefreshTokenRecord => ({
  hash: row.hash,
  familyId: row.family_id,
  parentHash: row.parent_hash,
  issuedFor: row.issued_for,
  generation: Number(row.generation),
  issuedAt: Number(row.issued_at),
  idleExpiresAt: Number(row.idle_expires_at),
  consumedAt: nullableNumber(row.consumed_at),
  consumedReason: row.consumed_reason,
})

const tokenRow = (token: RefreshTokenRecord): TokenRow => ({
  hash: token.hash,
  family_id: token.familyId,
  parent_hash: token.parentHash,
  issued_for: token.issuedFor,
  generation: token.generation,
  issued_at: token.issuedAt,
  idle_expires_at: token.idleExpiresAt,
  consumed_at: token.consumedAt,
  consumed_reason: token.consumedReason,
})

/** The conditional update matched nothing: roll the transaction back and report a lost race. */
class LostRace extends Error {}

/** PostgreSQL 23505 or SQLite's UNIQUE/PRIMARY KEY constraint: a concurrent writer got there first. */
function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
}

/** Runs `work` in a transaction; a LostRace or a unique violation (the no-fork index) means false. */
async function conditionally<T>(db: Kysely<Database>, work: (trx: Transaction<Database>) => Promise<T>) {
  try {
    return await db.transaction().execute(work)
  } catch (error) {
    if (error instanceof LostRace || isUniqueViolation(error)) return undefined
    throw error
  }
}

/** Consumes one unconsumed token: the single conditional UPDATE every rotation hinges on. */
async function consume(trx: Transaction<Database>, hash: string, now: number, reason: string) {
  const result = await trx
    .updateTable('refresh_tokens')
    .set({ consumed_at: now, consumed_reason: reason })
    .where('hash', '=', hash)
    .where('consumed_at', 'is', null)
    .where('idle_expires_at', '>', now)
    .executeTakeFirst()
  if (Number(result.numUpdatedRows) !== 1) throw new LostRace()
}

export async function insertRefreshFamily(
  db: Kysely<Database>,
  family: RefreshFamilyRecord,
  first: RefreshTokenRecord,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('refresh_families')
      .values({
        id: family.id,
        client_id: family.clientId,
        device_id: family.deviceId,
        audience: family.audience,
        created_at: family.createdAt,
        expires_at: family.expiresAt,
        revoked_at: family.revokedAt,
        revoke_reason: family.revokeReason,
        user_id: family.user?.userId ?? null,
        session_id: family.user?.sessionId ?? null,
        scope: family.user?.scope ?? null,
        auth_time: family.user?.authTime ?? null,
        amr: family.user ? JSON.stringify(family.user.amr) : null,
      })
      .execute()
    await trx.insertInto('refresh_tokens').values(tokenRow(first)).execute()
  })
}

export async function findRefreshToken(db: Kysely<Database>, hash: string) {
  const token = await db.selectFrom('refresh_tokens').selectAll().where('hash', '=', hash).executeTakeFirst()
  if (!token) return undefined
  const family = await db
    .selectFrom('refresh_families')
    .selectAll()
    .where('id', '=', token.family_id)
    .executeTakeFirst()
  return family ? { token: toToken(token), family: toFamily(family) } : undefined
}

export async function rotateRefreshToken(
  db: Kysely<Database>,
  presentedHash: string,
  successor: RefreshTokenRecord,
  now: number,
): Promise<boolean> {
  const done = await conditionally(db, async (trx) => {
    await consume(trx, presentedHash, now, 'rotated')
    await trx.insertInto('refresh_tokens').values(tokenRow(successor)).execute()
    return true
  })
  return done === true
}

export async function reissueRefreshToken(
  db: Kysely<Database>,
  familyId: string,
  presentedHash: string,
  successor: Omit<RefreshTokenRecord, 'parentHash' | 'generation'>,
  now: number,
): Promise<RefreshTokenRecord | undefined> {
  return conditionally(db, async (trx) => {
    // One statement finds and consumes the unused head answering the presented token (a chain has at
    // most one); no read-then-write window, and SQLite takes its write lock at once.
    const head = await trx
      .updateTable('refresh_tokens')
      .set({ consumed_at: now, consumed_reason: 'superseded' })
      .where('family_id', '=', familyId)
      .where('issued_for', '=', presentedHash)
      .where('consumed_at', 'is', null)
      .where('idle_expires_at', '>', now)
      .returning(['hash', 'generation'])
      .executeTakeFirst()
    if (!head) throw new LostRace()
    const record = { ...successor, parentHash: head.hash, generation: Number(head.generation) + 1 }
    await trx.insertInto('refresh_tokens').values(tokenRow(record)).execute()
    return record
  })
}

export async function revokeRefreshFamily(
  db: Kysely<Database>,
  familyId: string,
  now: number,
  reason: string,
): Promise<boolean> {
  return (await revokeLiveFamilies(db, { id: familyId }, now, reason)) === 1
}

/**
 * Revokes every live (not yet revoked) family whose columns equal `match`, in one conditional
 * UPDATE; returns how many it revoked. Already-revoked families keep their first time and reason.
 */
async function revokeLiveFamilies(
  db: Kysely<Database>,
  match: { id?: string; session_id?: string; user_id?: string; client_id?: string },
  now: number,
  reason: string,
): Promise<number> {
  let update = db
    .updateTable('refresh_families')
    .set({ revoked_at: now, revoke_reason: reason })
    .where('revoked_at', 'is', null)
  for (const [column, value] of Object.entries(match) as [keyof typeof match, string][]) {
    update = update.where(column, '=', value)
  }
  const result = await update.executeTakeFirst()
  return Number(result.numUpdatedRows)
}

export async function listRefreshFamilies(db: Kysely<Database>, deviceId: string) {
  const rows = await db
    .selectFrom('refresh_families')
    .selectAll()
    .where('device_id', '=', deviceId)
    .orderBy('created_at')
    .execute()
  return rows.map(toFamily)
}

export async function listRefreshTokens(db: Kysely<Database>, familyId: string) {
  const rows = await db
    .selectFrom('refresh_tokens')
    .selectAll()
    .where('family_id', '=', familyId)
    .orderBy('generation')
    .execute()
  return rows.map(toToken)
}

/** Which family columns a kill switch matches: a device, or a user, is its tokens' subject. */
const FAMILY_COLUMNS = {
  client: ['client_id'],
  device: ['device_id'],
  subject: ['device_id', 'user_id'],
} as const

export async function revokeIssuedBefore(
  db: Kysely<Database>,
  kind: CutoffKind,
  value: string,
  before: number,
  expiresAt: number,
): Promise<number> {
  return db.transaction().execute(async (trx) => {
    await trx
      .insertInto('revocation_cutoffs')
      .values({ kind, value, before_at: before, expires_at: expiresAt })
      // A cut-off only ever moves forward, and is kept as long as the longest request asked: a later
      // kill switch with an older time (a clock step, a replayed admin call) must not revive tokens.
      // CASE, not max()/greatest(): the one spelling both dialects share.
      .onConflict((oc) =>
        oc.columns(['kind', 'value']).doUpdateSet({
          before_at: sql`case when excluded.before_at > revocation_cutoffs.before_at then excluded.before_at else revocation_cutoffs.before_at end`,
          expires_at: sql`case when excluded.expires_at > revocation_cutoffs.expires_at then excluded.expires_at else revocation_cutoffs.expires_at end`,
        }),
      )
      .execute()
    const result = await trx
      .updateTable('refresh_families')
      .set({ revoked_at: before, revoke_reason: `kill-switch:${kind}` })
      .where((eb) => eb.or(FAMILY_COLUMNS[kind].map((column) => eb(column, '=', value))))
      .where('created_at', '<=', before)
      .where('revoked_at', 'is', null)
      .executeTakeFirst()
    return Number(result.numUpdatedRows)
  })
}

export async function latestCutoff(
  db: Kysely<Database>,
  targets: readonly (readonly [CutoffKind, string])[],
): Promise<number | undefined> {
  if (targets.length === 0) return undefined
  const row = await db
    .selectFrom('revocation_cutoffs')
    .select((eb) => eb.fn.max('before_at').as('before'))
    .where((eb) =>
      eb.or(targets.map(([kind, value]) => eb.and([eb('kind', '=', kind), eb('value', '=', value)]))),
    )
    .executeTakeFirst()
  return row?.before === null || row?.before === undefined ? undefined : Number(row.before)
}

type RevocationTarget = [CutoffKind, string]

function revocationQuery(db: Kysely<Database>, jti: string, issuedAt: number, targets: RevocationTarget[]) {
  // One round trip: the token's own revocation, or any kill switch newer than the token.
  const revoked = db.selectFrom('revoked_tokens').select(sql<number>`1`.as('hit')).where('jti', '=', jti)
  if (targets.length === 0) return revoked
  return revoked.unionAll(
    db
      .selectFrom('revocation_cutoffs')
      .select(sql<number>`1`.as('hit'))
      .where('before_at', '>', issuedAt)
      .where((eb) =>
        eb.or(targets.map(([kind, value]) => eb.and([eb('kind', '=', kind), eb('value', '=', value)]))),
      ),
  )
}

/**
 * Building and compiling the query through Kysely cost about 14 µs per introspection, more than running
 * it. Its SQL depends only on the number of kill-switch targets, so it is compiled once per (database,
 * count) with placeholder values, and each call binds its own values by position.
 */
const compiledRevocationQueries = new WeakMap<
  Kysely<Database>,
  Map<number, { sql: string; order: number[] }>
>()
const SLOT = '\u0000tessera-slot-'

function compiledRevocationQuery(db: Kysely<Database>, count: number): { sql: string; order: number[] } {
  let byCount = compiledRevocationQueries.get(db)
  if (!byCount) {
    byCount = new Map()
    compiledRevocationQueries.set(db, byCount)
  }
  let compiled = byCount.get(count)
  if (!compiled) {
    // Each value is a distinct marker, so the compiled parameter list tells where each one goes.
    const targets = Array.from(
      { length: count },
      (_, i): RevocationTarget => [`${SLOT}${2 + 2 * i}` as CutoffKind, `${SLOT}${3 + 2 * i}`],
    )
    const query = revocationQuery(db, `${SLOT}0`, -1, targets).compile()
    const order = query.parameters.map((parameter) =>
      parameter === -1 ? 1 : Number(String(parameter).slice(SLOT.length)),
    )
    compiled = { sql: query.sql, order }
    byCount.set(count, compiled)
  }
  return compiled
}

export async function isAccessTokenRevoked(db: Kysely<Database>, facts: AccessTokenFacts): Promise<boolean> {
  const targets: RevocationTarget[] = []
  if (facts.clientId !== undefined) targets.push(['client', facts.clientId])
  if (facts.sub !== undefined) {
    targets.push(['subject', facts.sub])
    if (facts.device) targets.push(['device', facts.sub])
  }
  const values: unknown[] = [facts.jti, facts.issuedAt]
  for (const [kind, value] of targets) values.push(kind, value)
  const { sql: text, order } = compiledRevocationQuery(db, targets.length)
  const result = await db.executeQuery(
    CompiledQuery.raw(
      text,
      order.map((slot) => values[slot]),
    ),
  )
  return result.rows.length > 0
}

export async function revokeRefreshFamiliesBySession(
  db: Kysely<Database>,
  sessionId: string,
  now: number,
  reason: string,
): Promise<number> {
  return revokeLiveFamilies(db, { session_id: sessionId }, now, reason)
}

export async function revokeRefreshFamiliesOf(
  db: Kysely<Database>,
  userId: string,
  clientId: string,
  now: number,
  reason: string,
): Promise<number> {
  return revokeLiveFamilies(db, { user_id: userId, client_id: clientId }, now, reason)
}

export async function purgeRefresh(db: Kysely<Database>, now: number): Promise<void> {
  const expired = db.selectFrom('refresh_families').select('id').where('expires_at', '<', now)
  await db.deleteFrom('refresh_tokens').where('family_id', 'in', expired).execute()
  await db.deleteFrom('refresh_families').where('expires_at', '<', now).execute()
  await db.deleteFrom('revocation_cutoffs').where('expires_at', '<', now).execute()
}
