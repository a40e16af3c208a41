import { type Kysely, sql } from 'kysely'
import type { Database } from './schema.js'
import type { Counter } from './types.js'

/**
 * One upsert per hit, so concurrent hits from any number of instances never lose a count: the row
 * is inserted with 1, or bumped — or started over when its window has ended — by the database
 * itself, never read and written back by the caller.
 */
export async function hitCounter(
  db: Kysely<Database>,
  key: string,
  windowMs: number,
  now: number,
): Promise<Counter> {
  const expiresAt = now + windowMs
  const row = await db
    .insertInto('counters')
    .values({ key, count: 1, expires_at: expiresAt })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({
        count: sql<number>`case when counters.expires_at <= ${now} then 1 else counters.count + 1 end`,
        expires_at: sql<number>`case when counters.expires_at <= ${now} then ${expiresAt} else counters.expires_at end`,
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
): Promise<Counter | undefined> {
  const row = await db
    .selectFrom('counters')
    .select(['count', 'expires_at'])
    .where('key', '=', key)
    .where('expires_at', '>', now)
    .executeTakeFirst()
  return row === undefined ? undefined : { count: Number(row.count), expiresAt: Number(row.expires_at) }
}

export async function resetCounter(db: Kysely<Database>, key: string): Promise<void> {
  await db.deleteFrom('counters').where('key', '=', key).execute()
}

export async function purgeCounters(db: Kysely<Database>, now: number): Promise<void> {
  await db.deleteFrom('counters').where('expires_at', '<=', now).execute()
}
