import type { Kysely } from 'kysely'
import type { Database } from './schema.js'
import type { CutoffKind, RevocationLists } from './types.js'

/**
 * What the revocation snapshot publishes, in three range queries: access-token jtis whose revocation
 * is still needed, refresh families revoked recently enough that their access tokens may live, and
 * kill-switch cut-offs recent enough to cover a live access token.
 */
export async function listRevocations(
  db: Kysely<Database>,
  now: number,
  relevantSince: number,
): Promise<RevocationLists> {
  const tokens = await db
    .selectFrom('revoked_tokens')
    .select(['jti', 'expires_at'])
    .where('expires_at', '>=', now)
    .orderBy('jti')
    .execute()
  const families = await db
    .selectFrom('refresh_families')
    .select(['id', 'revoked_at'])
    .where('revoked_at', 'is not', null)
    .where('revoked_at', '>=', relevantSince)
    .orderBy('id')
    .execute()
  const cutoffs = await db
    .selectFrom('revocation_cutoffs')
    .select(['kind', 'value', 'before_at'])
    .where('before_at', '>=', relevantSince)
    .where('expires_at', '>=', now)
    .orderBy('kind')
    .orderBy('value')
    .execute()
  return {
    tokens: tokens.map((row) => ({ jti: row.jti, expiresAt: Number(row.expires_at) })),
    families: families.map((row) => ({ id: row.id, revokedAt: Number(row.revoked_at) })),
    cutoffs: cutoffs.map((row) => ({
      kind: row.kind as CutoffKind,
      value: row.value,
      before: Number(row.before_at),
    })),
  }
}
