import { type Kysely, type Migration, type MigrationProvider, sql } from 'kysely'

/**
 * Migrations in code, in order; the key is the name Kysely records. Types are chosen to mean the
 * same in SQLite and PostgreSQL: bigint for epoch milliseconds, integer 0/1 for booleans.
 */
function migrations(dialect: 'sqlite' | 'postgres'): Record<string, Migration> {
  return {
    '0001-initial': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('meta')
          .addColumn('name', 'varchar(100)', (c) => c.primaryKey())
          .addColumn('value', 'text', (c) => c.notNull())
          .execute()
        await db.schema
          .createTable('signing_keys')
          .addColumn('kid', 'varchar(100)', (c) => c.primaryKey())
          .addColumn('alg', 'varchar(20)', (c) => c.notNull())
          .addColumn('state', 'varchar(20)', (c) => c.notNull())
          .addColumn('public_jwk', 'text', (c) => c.notNull())
          .addColumn('sealed_private_key', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('activated_at', 'bigint')
          .addColumn('retired_at', 'bigint')
          .execute()
        // At most one current and one next key, whatever several instances race to insert.
        await sql`create unique index signing_keys_one_per_state on signing_keys (state) where state in ('current', 'next')`.execute(
          db,
        )
        await db.schema
          .createTable('leases')
          .addColumn('name', 'varchar(100)', (c) => c.primaryKey())
          .addColumn('holder', 'varchar(100)', (c) => c.notNull())
          .addColumn('expires_at', 'bigint', (c) => c.notNull())
          .execute()
        await db.schema
          .createTable('clients')
          .addColumn('client_id', 'varchar(100)', (c) => c.primaryKey())
          .addColumn('metadata', 'text', (c) => c.notNull())
          .addColumn('token_endpoint_auth_method', 'varchar(50)', (c) => c.notNull())
          .addColumn('secret_hash', 'varchar(128)')
          .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .execute()
        await db.schema
          .createTable('revoked_tokens')
          .addColumn('jti', 'varchar(200)', (c) => c.primaryKey())
          .addColumn('expires_at', 'bigint', (c) => c.notNull())
          .execute()
        await db.schema
          .createTable('used_ids')
          .addColumn('id', 'varchar(400)', (c) => c.primaryKey())
          .addColumn('expires_at', 'bigint', (c) => c.notNull())
          .execute()
        await db.schema
          .createTable('audit_log')
          .addColumn('id', 'integer', (c) =>
            dialect === 'postgres'
              ? c.primaryKey().generatedByDefaultAsIdentity()
              : c.primaryKey().autoIncrement(),
          )
          .addColumn('at', 'bigint', (c) => c.notNull())
          .addColumn('event', 'varchar(50)', (c) => c.notNull())
          .addColumn('subject', 'varchar(200)', (c) => c.notNull())
          .addColumn('detail', 'text', (c) => c.notNull())
          .execute()
        await db.schema.createIndex('audit_log_at').on('audit_log').column('at').execute()
      },
    },
  }
}

export function migrationProvider(dialect: 'sqlite' | 'postgres'): MigrationProvider {
  return { getMigrations: async () => migrations(dialect) }
}
