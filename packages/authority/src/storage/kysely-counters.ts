import { type Kysely, sql } from 'kysely'
import type { Database } from './schema.js'
import type { CounterValue } from './types.js'

/**
 * Adds one to a counter in one statement: a missing or expired row starts again at 1 with a fresh
 * expiry, a live one counts up and keeps its expiry. Both dialects evaluate every SET expression
 * against the row as it was, under the row lock the upsert takes, so concurrent increments on any
 * number of instances each count exactly once (no read-modify-write).
 */
export async function incrementCounter(
  db: Kysely<Database>,
  key: string,
  ttlMs: number,
  now: number,
): Promise<CounterValue> {
  const expired = sql<boolean>`lockout_counters.expires_at <= ${now}`
  const row = await db
    .insertInto('lockout_counters')
    .values({ key, count: 1, expires_at: now + ttlMs })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({
        count: sql`case when ${expired} then 1 else lockout_counters.count + 1 end`,
        expires_at: sql`case when ${expired} then excluded.expires_at else lockout_counters.expires_at end`,
      }),
    )
    .returning(['count', 'expires_at'])
    .executeTakeFirstOrThrow()
  return { count: Number(row.count), expiresAt: Number(row.expires_at) }
}

export async function readCounter(
  db: Kysely<Database>,
  key: string,
  now: number,
): Promise<CounterValue | undefined> {
  const row = await db
    .selectFrom('lockout_counters')
    .select(['count', 'expires_at'])
    .where('key', '=', key)
    .where('expires_at', '>', now)
    .executeTakeFirst()
  return row === undefined ? undefined : { count: Number(row.count), expiresAt: Number(row.expires_at) }
}

export async function resetCounter(db: Kysely<Database>, key: string): Promise<void> {
  await db.deleteFrom('lockout_counters').where('key', '=', key).execute()
}

export async function purgeCounters(db: Kysely<Database>, now: number): Promise<void> {
  await db.deleteFrom('lockout_counters').where('expires_at', '<=', now).execute()
}
