import type { Kysely } from 'kysely'
import type { Database } from './schema.js'
import type { EncryptedTokenRecord, ResourceRecord } from './types.js'

type ResourceRow = Database['resources']

const toResource = (row: ResourceRow): ResourceRecord => ({
  resource: row.resource,
  name: row.name,
  jwks: row.jwks,
  jwksUri: row.jwks_uri,
  alg: row.alg,
  enc: row.enc,
  createdAt: Number(row.created_at),
  updatedAt: Number(row.updated_at),
})

export async function upsertResource(db: Kysely<Database>, resource: ResourceRecord): Promise<void> {
  const changes = {
    name: resource.name,
    jwks: resource.jwks,
    jwks_uri: resource.jwksUri,
    alg: resource.alg,
    enc: resource.enc,
    updated_at: resource.updatedAt,
  }
  // A re-registration keeps the first created_at: the resource is the same API with a new key.
  await db
    .insertInto('resources')
    .values({ resource: resource.resource, created_at: resource.createdAt, ...changes })
    .onConflict((conflict) => conflict.column('resource').doUpdateSet(changes))
    .execute()
}

export async function findResource(db: Kysely<Database>, resource: string) {
  const row = await db.selectFrom('resources').selectAll().where('resource', '=', resource).executeTakeFirst()
  return row ? toResource(row) : undefined
}

export async function listResources(db: Kysely<Database>) {
  const rows = await db.selectFrom('resources').selectAll().orderBy('resource').execute()
  return rows.map(toResource)
}

export async function deleteResource(db: Kysely<Database>, resource: string): Promise<boolean> {
  const result = await db.deleteFrom('resources').where('resource', '=', resource).executeTakeFirst()
  return Number(result.numDeletedRows) > 0
}

export async function insertEncryptedToken(db: Kysely<Database>, token: EncryptedTokenRecord) {
  await db
    .insertInto('encrypted_tokens')
    .values({ hash: token.hash, kid: token.kid, claims: token.claims, expires_at: token.expiresAt })
    .execute()
}

export async function findEncryptedToken(db: Kysely<Database>, hash: string, now: number) {
  const row = await db
    .selectFrom('encrypted_tokens')
    .selectAll()
    .where('hash', '=', hash)
    .where('expires_at', '>', now)
    .executeTakeFirst()
  return row
    ? { hash: row.hash, kid: row.kid, claims: row.claims, expiresAt: Number(row.expires_at) }
    : undefined
}

export async function purgeEncryptedTokens(db: Kysely<Database>, now: number): Promise<void> {
  await db.deleteFrom('encrypted_tokens').where('expires_at', '<', now).execute()
}
