import type { Kysely } from 'kysely'
import type { Database } from './schema.js'
import type { BrowserSessionRecord } from './types.js'

type SessionRow = Database['browser_sessions']

const toSession = (row: SessionRow): BrowserSessionRecord => ({
  id: row.id,
  secretHash: row.secret_hash,
  userId: row.user_id,
  authTime: Number(row.auth_time),
  amr: row.amr,
  csrfToken: row.csrf_token,
  createdAt: Number(row.created_at),
  lastSeenAt: Number(row.last_seen_at),
  idleExpiresAt: Number(row.idle_expires_at),
  expiresAt: Number(row.expires_at),
  userAgent: row.user_agent,
  address: row.address,
})

/** Browser sessions' queries; KyselyStorage delegates to these, for both dialects. */
export async function insertBrowserSession(
  db: Kysely<Database>,
  session: BrowserSessionRecord,
): Promise<void> {
  await db
    .insertInto('browser_sessions')
    .values({
      id: session.id,
      secret_hash: session.secretHash,
      user_id: session.userId,
      auth_time: session.authTime,
      amr: session.amr,
      csrf_token: session.csrfToken,
      created_at: session.createdAt,
      last_seen_at: session.lastSeenAt,
      idle_expires_at: session.idleExpiresAt,
      expires_at: session.expiresAt,
      user_agent: session.userAgent,
      address: session.address,
    })
    .execute()
}

export async function findBrowserSession(
  db: Kysely<Database>,
  secretHash: string,
): Promise<BrowserSessionRecord | undefined> {
  const row = await db
    .selectFrom('browser_sessions')
    .selectAll()
    .where('secret_hash', '=', secretHash)
    .executeTakeFirst()
  return row ? toSession(row) : undefined
}

export async function touchBrowserSession(
  db: Kysely<Database>,
  id: string,
  lastSeenAt: number,
  idleExpiresAt: number,
): Promise<void> {
  await db
    .updateTable('browser_sessions')
    .set({ last_seen_at: lastSeenAt, idle_expires_at: idleExpiresAt })
    .where('id', '=', id)
    .execute()
}

export async function listBrowserSessions(
  db: Kysely<Database>,
  userId: string,
): Promise<BrowserSessionRecord[]> {
  const rows = await db
    .selectFrom('browser_sessions')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('last_seen_at', 'desc')
    .orderBy('id')
    .execute()
  return rows.map(toSession)
}

export async function deleteBrowserSession(
  db: Kysely<Database>,
  id: string,
  userId?: string,
): Promise<boolean> {
  let query = db.deleteFrom('browser_sessions').where('id', '=', id)
  if (userId !== undefined) query = query.where('user_id', '=', userId)
  const result = await query.executeTakeFirst()
  return Number(result.numDeletedRows) === 1
}

export async function deleteBrowserSessionsOf(db: Kysely<Database>, userId: string): Promise<string[]> {
  return db.transaction().execute(async (trx) => {
    const rows = await trx.selectFrom('browser_sessions').select('id').where('user_id', '=', userId).execute()
    await trx.deleteFrom('browser_sessions').where('user_id', '=', userId).execute()
    return rows.map((row) => row.id)
  })
}

export async function purgeBrowserSessions(db: Kysely<Database>, now: number): Promise<void> {
  await db
    .deleteFrom('browser_sessions')
    .where((eb) => eb.or([eb('expires_at', '<', now), eb('idle_expires_at', '<', now)]))
    .execute()
}
