import type { Kysely } from 'kysely'
import type { Database } from './schema.js'
import type {
  ChallengeOutcome,
  PasskeyCeremony,
  PasskeyChallengeRecord,
  PasskeyRecord,
  PasskeyUse,
} from './types.js'

type PasskeyRow = Database['passkeys']
type ChallengeRow = Database['passkey_challenges']

const flag = (value: boolean) => (value ? 1 : 0)

const toPasskey = (row: PasskeyRow): PasskeyRecord => ({
  id: row.id,
  userId: row.user_id,
  name: row.name,
  publicJwk: row.public_jwk,
  thumbprint: row.thumbprint,
  coseKey: row.cose_key,
  alg: Number(row.alg),
  signCount: Number(row.sign_count),
  transports: row.transports,
  aaguid: row.aaguid,
  backupEligible: Number(row.backup_eligible) === 1,
  backupState: Number(row.backup_state) === 1,
  userVerified: Number(row.user_verified) === 1,
  createdAt: Number(row.created_at),
  lastUsedAt: row.last_used_at === null ? null : Number(row.last_used_at),
  revokedAt: row.revoked_at === null ? null : Number(row.revoked_at),
})

const toChallenge = (row: ChallengeRow): PasskeyChallengeRecord => ({
  hash: row.hash,
  ceremony: row.ceremony as PasskeyCeremony,
  boundTo: row.bound_to,
  userId: row.user_id,
  createdAt: Number(row.created_at),
  expiresAt: Number(row.expires_at),
  consumedAt: row.consumed_at === null ? null : Number(row.consumed_at),
})

/** Passkeys' and their challenges' queries; KyselyStorage delegates to these, for both dialects. */
export async function insertPasskey(db: Kysely<Database>, passkey: PasskeyRecord): Promise<boolean> {
  const result = await db
    .insertInto('passkeys')
    .values({
      id: passkey.id,
      user_id: passkey.userId,
      name: passkey.name,
      public_jwk: passkey.publicJwk,
      thumbprint: passkey.thumbprint,
      cose_key: passkey.coseKey,
      alg: passkey.alg,
      sign_count: passkey.signCount,
      transports: passkey.transports,
      aaguid: passkey.aaguid,
      backup_eligible: flag(passkey.backupEligible),
      backup_state: flag(passkey.backupState),
      user_verified: flag(passkey.userVerified),
      created_at: passkey.createdAt,
      last_used_at: passkey.lastUsedAt,
      revoked_at: passkey.revokedAt,
    })
    .onConflict((oc) => oc.doNothing())
    .executeTakeFirst()
  return Number(result.numInsertedOrUpdatedRows ?? 0) === 1
}

export async function findPasskey(db: Kysely<Database>, id: string): Promise<PasskeyRecord | undefined> {
  const row = await db.selectFrom('passkeys').selectAll().where('id', '=', id).executeTakeFirst()
  return row ? toPasskey(row) : undefined
}

export async function listPasskeys(db: Kysely<Database>, userId: string): Promise<PasskeyRecord[]> {
  const rows = await db
    .selectFrom('passkeys')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('created_at')
    .orderBy('id')
    .execute()
  return rows.map(toPasskey)
}

export async function renamePasskey(
  db: Kysely<Database>,
  id: string,
  userId: string,
  name: string,
): Promise<boolean> {
  const result = await db
    .updateTable('passkeys')
    .set({ name })
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

export async function deletePasskey(db: Kysely<Database>, id: string, userId: string): Promise<boolean> {
  const result = await db
    .deleteFrom('passkeys')
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .executeTakeFirst()
  return Number(result.numDeletedRows) === 1
}

export async function revokePasskey(db: Kysely<Database>, id: string, at: number): Promise<boolean> {
  const result = await db
    .updateTable('passkeys')
    .set({ revoked_at: at })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

export async function recordPasskeyUse(db: Kysely<Database>, id: string, use: PasskeyUse): Promise<boolean> {
  const result = await db
    .updateTable('passkeys')
    .set({
      sign_count: use.signCount,
      backup_eligible: flag(use.backupEligible),
      backup_state: flag(use.backupState),
      user_verified: flag(use.userVerified),
      last_used_at: use.at,
    })
    .where('id', '=', id)
    .where('sign_count', '=', use.expectedCount)
    .where('revoked_at', 'is', null)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

export async function insertPasskeyChallenge(
  db: Kysely<Database>,
  challenge: PasskeyChallengeRecord,
): Promise<void> {
  await db
    .insertInto('passkey_challenges')
    .values({
      hash: challenge.hash,
      ceremony: challenge.ceremony,
      bound_to: challenge.boundTo,
      user_id: challenge.userId,
      created_at: challenge.createdAt,
      expires_at: challenge.expiresAt,
      consumed_at: challenge.consumedAt,
    })
    .execute()
}

export async function consumePasskeyChallenge(
  db: Kysely<Database>,
  hash: string,
  ceremony: PasskeyCeremony,
  boundTo: string,
  now: number,
): Promise<{ outcome: ChallengeOutcome; challenge?: PasskeyChallengeRecord }> {
  // One conditional update decides: of two requests racing with the same challenge, one wins.
  const result = await db
    .updateTable('passkey_challenges')
    .set({ consumed_at: now })
    .where('hash', '=', hash)
    .where('ceremony', '=', ceremony)
    .where('bound_to', '=', boundTo)
    .where('consumed_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst()
  const row = await db
    .selectFrom('passkey_challenges')
    .selectAll()
    .where('hash', '=', hash)
    .where('ceremony', '=', ceremony)
    .where('bound_to', '=', boundTo)
    .executeTakeFirst()
  if (row === undefined) return { outcome: 'unknown' }
  const challenge = toChallenge(row)
  if (Number(result.numUpdatedRows) === 1) return { outcome: 'consumed', challenge }
  // Not updated: either used already (possibly by a racing request) or, unused, past its expiry.
  return { outcome: challenge.consumedAt !== null ? 'used' : 'expired' }
}

/** Challenges live minutes; a used or expired one is kept an hour, so a late answer is told why. */
export async function purgePasskeyChallenges(db: Kysely<Database>, now: number): Promise<void> {
  await db
    .deleteFrom('passkey_challenges')
    .where('expires_at', '<', now - 3_600_000)
    .execute()
}
