import { type Kysely, sql } from 'kysely'
import type { Database } from './schema.js'
import type { SignInFlowRecord } from './types.js'

type FlowRow = Database['signin_flows']

const toFlow = (row: FlowRow): SignInFlowRecord => ({
  id: row.id,
  email: row.email,
  returnTo: row.return_to,
  codeHash: row.code_hash,
  linkHash: row.link_hash,
  attempts: Number(row.attempts),
  issuedAt: Number(row.issued_at),
  expiresAt: Number(row.expires_at),
  consumedAt: row.consumed_at === null ? null : Number(row.consumed_at),
  address: row.address,
})

/** Pre-login flows and their email proofs; KyselyStorage delegates to these, for both dialects. */
export async function saveSignInFlow(db: Kysely<Database>, flow: SignInFlowRecord): Promise<void> {
  const values = {
    id: flow.id,
    email: flow.email,
    return_to: flow.returnTo,
    code_hash: flow.codeHash,
    link_hash: flow.linkHash,
    attempts: flow.attempts,
    issued_at: flow.issuedAt,
    expires_at: flow.expiresAt,
    consumed_at: flow.consumedAt,
    address: flow.address,
  }
  const { id: _id, ...update } = values
  await db
    .insertInto('signin_flows')
    .values(values)
    .onConflict((oc) => oc.column('id').doUpdateSet(update))
    .execute()
}

export async function findSignInFlow(
  db: Kysely<Database>,
  id: string,
): Promise<SignInFlowRecord | undefined> {
  const row = await db.selectFrom('signin_flows').selectAll().where('id', '=', id).executeTakeFirst()
  return row ? toFlow(row) : undefined
}

export async function findSignInFlowByLink(
  db: Kysely<Database>,
  linkHash: string,
): Promise<SignInFlowRecord | undefined> {
  const row = await db
    .selectFrom('signin_flows')
    .selectAll()
    .where('link_hash', '=', linkHash)
    .executeTakeFirst()
  return row ? toFlow(row) : undefined
}

export async function countCodeAttempt(
  db: Kysely<Database>,
  id: string,
  now: number,
  maxAttempts: number,
): Promise<SignInFlowRecord | undefined> {
  // The conditional increment is the whole check: two guesses racing for the last attempt cannot
  // both pass it, in either dialect, and the guess is counted before the code is compared.
  const result = await db
    .updateTable('signin_flows')
    .set({ attempts: sql`attempts + 1` })
    .where('id', '=', id)
    .where('attempts', '<', maxAttempts)
    .where('consumed_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst()
  if (Number(result.numUpdatedRows) !== 1) return undefined
  return findSignInFlow(db, id)
}

export async function consumeSignInFlow(
  db: Kysely<Database>,
  id: string,
  now: number,
  proof: { codeHash: string } | { linkHash: string },
): Promise<boolean> {
  let query = db
    .updateTable('signin_flows')
    .set({ consumed_at: now })
    .where('id', '=', id)
    .where('consumed_at', 'is', null)
    .where('expires_at', '>', now)
  query =
    'codeHash' in proof
      ? query.where('code_hash', '=', proof.codeHash)
      : query.where('link_hash', '=', proof.linkHash)
  const result = await query.executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

export async function deleteSignInFlow(db: Kysely<Database>, id: string): Promise<void> {
  await db.deleteFrom('signin_flows').where('id', '=', id).execute()
}

export async function purgeSignInFlows(db: Kysely<Database>, now: number): Promise<void> {
  await db.deleteFrom('signin_flows').where('expires_at', '<', now).execute()
}
