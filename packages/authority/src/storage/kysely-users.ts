import { type Kysely, sql } from 'kysely'
import type { Database } from './schema.js'
import type { UserPatch, UserQuery, UserRecord, UserStatus } from './types.js'

type UserRow = Database['users']

const toUser = (row: UserRow): UserRecord => ({
  id: row.id,
  email: row.email,
  emailVerified: Number(row.email_verified) === 1,
  status: row.status as UserStatus,
  createdAt: Number(row.created_at),
  lastLoginAt: row.last_login_at === null ? null : Number(row.last_login_at),
})

/** The user registry's queries; KyselyStorage delegates to these, for both dialects. */
export async function insertUser(db: Kysely<Database>, user: UserRecord): Promise<boolean> {
  const result = await db
    .insertInto('users')
    .values({
      id: user.id,
      email: user.email,
      email_verified: user.emailVerified ? 1 : 0,
      status: user.status,
      created_at: user.createdAt,
      last_login_at: user.lastLoginAt,
    })
    .onConflict((oc) => oc.doNothing())
    .executeTakeFirst()
  return Number(result.numInsertedOrUpdatedRows ?? 0) === 1
}

export async function findUser(db: Kysely<Database>, id: string): Promise<UserRecord | undefined> {
  const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst()
  return row ? toUser(row) : undefined
}

export async function findUserByEmail(db: Kysely<Database>, email: string): Promise<UserRecord | undefined> {
  const row = await db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst()
  return row ? toUser(row) : undefined
}

/** LIKE treats % and _ as wildcards; a search for a literal address escapes them. */
const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`

export async function listUsers(db: Kysely<Database>, query: UserQuery): Promise<UserRecord[]> {
  let select = db.selectFrom('users').selectAll()
  if (query.emailContains !== undefined && query.emailContains !== '') {
    const pattern = likePattern(query.emailContains)
    // An explicit ESCAPE: SQLite has no default escape character, PostgreSQL's is the backslash.
    select = select.where(sql<boolean>`email like ${pattern} escape '\\'`)
  }
  const after = query.after
  if (after !== undefined) {
    select = select.where((eb) =>
      eb.or([
        eb('created_at', '>', after.createdAt),
        eb.and([eb('created_at', '=', after.createdAt), eb('id', '>', after.id)]),
      ]),
    )
  }
  const rows = await select.orderBy('created_at').orderBy('id').limit(query.limit).execute()
  return rows.map(toUser)
}

export async function updateUser(
  db: Kysely<Database>,
  id: string,
  patch: UserPatch,
): Promise<UserRecord | undefined> {
  const set: Partial<UserRow> = {}
  if (patch.status !== undefined) set.status = patch.status
  if (patch.emailVerified !== undefined) set.email_verified = patch.emailVerified ? 1 : 0
  if (patch.lastLoginAt !== undefined) set.last_login_at = patch.lastLoginAt
  if (Object.keys(set).length > 0) {
    const result = await db.updateTable('users').set(set).where('id', '=', id).executeTakeFirst()
    if (Number(result.numUpdatedRows) !== 1) return undefined
  }
  return findUser(db, id)
}

export async function deleteUser(db: Kysely<Database>, id: string): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    await trx.deleteFrom('browser_sessions').where('user_id', '=', id).execute()
    await trx.deleteFrom('passkeys').where('user_id', '=', id).execute()
    const result = await trx.deleteFrom('users').where('id', '=', id).executeTakeFirst()
    return Number(result.numDeletedRows) === 1
  })
}
