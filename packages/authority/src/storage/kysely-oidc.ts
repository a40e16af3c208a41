import type { Kysely } from 'kysely'
import type { Database } from './schema.js'
import type { AuthorizationCodeRecord, CodeConsumption, CodeIssue, ConsentRecord } from './types.js'

type CodeRow = Database['authorization_codes']

/** Consumed codes are kept this long after they expire, so a late replay still revokes its tokens. */
export const CODE_RETENTION = 86_400_000

const toCode = (row: CodeRow): AuthorizationCodeRecord => ({
  hash: row.hash,
  clientId: row.client_id,
  userId: row.user_id,
  sessionId: row.session_id,
  redirectUri: row.redirect_uri,
  scope: row.scope,
  nonce: row.nonce,
  codeChallenge: row.code_challenge,
  authTime: Number(row.auth_time),
  amr: JSON.parse(row.amr) as string[],
  createdAt: Number(row.created_at),
  expiresAt: Number(row.expires_at),
  consumedAt: row.consumed_at === null ? null : Number(row.consumed_at),
})

const toIssue = (row: CodeRow): CodeIssue | null =>
  row.access_jti === null
    ? null
    : {
        accessJti: row.access_jti,
        accessExpiresAt: Number(row.access_expires_at),
        refreshFamilyId: row.refresh_family_id,
      }

export async function insertAuthorizationCode(db: Kysely<Database>, code: AuthorizationCodeRecord) {
  await db
    .insertInto('authorization_codes')
    .values({
      hash: code.hash,
      client_id: code.clientId,
      user_id: code.userId,
      session_id: code.sessionId,
      redirect_uri: code.redirectUri,
      scope: code.scope,
      nonce: code.nonce,
      code_challenge: code.codeChallenge,
      auth_time: code.authTime,
      amr: JSON.stringify(code.amr),
      created_at: code.createdAt,
      expires_at: code.expiresAt,
      consumed_at: code.consumedAt,
      replayed_at: null,
      access_jti: null,
      access_expires_at: null,
      refresh_family_id: null,
    })
    .execute()
}

export async function consumeAuthorizationCode(
  db: Kysely<Database>,
  hash: string,
  now: number,
): Promise<CodeConsumption> {
  // The single conditional update that makes a code single use, whatever races it.
  const consumed = await db
    .updateTable('authorization_codes')
    .set({ consumed_at: now })
    .where('hash', '=', hash)
    .where('consumed_at', 'is', null)
    .where('expires_at', '>', now)
    .returningAll()
    .executeTakeFirst()
  if (consumed) return { outcome: 'consumed', code: toCode(consumed) }
  const row = await db
    .selectFrom('authorization_codes')
    .selectAll()
    .where('hash', '=', hash)
    .executeTakeFirst()
  if (!row) return { outcome: 'unknown' }
  if (row.consumed_at === null) return { outcome: 'expired' }
  const replayed = await db
    .updateTable('authorization_codes')
    .set({ replayed_at: now })
    .where('hash', '=', hash)
    .returningAll()
    .executeTakeFirst()
  const latest = replayed ?? row
  return { outcome: 'replayed', code: toCode(latest), issued: toIssue(latest) }
}

export async function recordCodeIssue(db: Kysely<Database>, hash: string, issue: CodeIssue) {
  const row = await db
    .updateTable('authorization_codes')
    .set({
      access_jti: issue.accessJti,
      access_expires_at: issue.accessExpiresAt,
      refresh_family_id: issue.refreshFamilyId,
    })
    .where('hash', '=', hash)
    .returning('replayed_at')
    .executeTakeFirst()
  return row !== undefined && row.replayed_at === null
}

const toConsent = (row: Database['consents']): ConsentRecord => ({
  userId: row.user_id,
  clientId: row.client_id,
  scope: row.scope,
  grantedAt: Number(row.granted_at),
})

export async function upsertConsent(db: Kysely<Database>, consent: ConsentRecord) {
  await db
    .insertInto('consents')
    .values({
      user_id: consent.userId,
      client_id: consent.clientId,
      scope: consent.scope,
      granted_at: consent.grantedAt,
    })
    .onConflict((oc) =>
      oc
        .columns(['user_id', 'client_id'])
        .doUpdateSet({ scope: consent.scope, granted_at: consent.grantedAt }),
    )
    .execute()
}

export async function findConsent(db: Kysely<Database>, userId: string, clientId: string) {
  const row = await db
    .selectFrom('consents')
    .selectAll()
    .where('user_id', '=', userId)
    .where('client_id', '=', clientId)
    .executeTakeFirst()
  return row ? toConsent(row) : undefined
}

export async function listConsents(db: Kysely<Database>, userId: string) {
  const rows = await db
    .selectFrom('consents')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('granted_at')
    .orderBy('client_id')
    .limit(1000)
    .execute()
  return rows.map(toConsent)
}

export async function deleteConsent(db: Kysely<Database>, userId: string, clientId: string) {
  const result = await db
    .deleteFrom('consents')
    .where('user_id', '=', userId)
    .where('client_id', '=', clientId)
    .executeTakeFirst()
  return Number(result.numDeletedRows) === 1
}

export async function purgeCodes(db: Kysely<Database>, now: number) {
  await db
    .deleteFrom('authorization_codes')
    .where('expires_at', '<', now - CODE_RETENTION)
    .execute()
}
