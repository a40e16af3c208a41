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
    '0002-devices-refresh-tokens': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('devices')
          .addColumn('id', 'varchar(100)', (c) => c.primaryKey())
          .addColumn('public_jwk', 'text', (c) => c.notNull())
          .addColumn('thumbprint', 'varchar(100)', (c) => c.notNull())
          .addColumn('alg', 'varchar(20)', (c) => c.notNull())
          .addColumn('status', 'varchar(20)', (c) => c.notNull())
          .addColumn('acl', 'text', (c) => c.notNull())
          .addColumn('metadata', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .execute()
        await db.schema
          .createTable('refresh_families')
          .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
          .addColumn('client_id', 'varchar(100)', (c) => c.notNull())
          .addColumn('device_id', 'varchar(100)', (c) => c.notNull())
          .addColumn('audience', 'text', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('expires_at', 'bigint', (c) => c.notNull())
          .addColumn('revoked_at', 'bigint')
          .addColumn('revoke_reason', 'varchar(50)')
          .execute()
        await db.schema
          .createIndex('refresh_families_client')
          .on('refresh_families')
          .column('client_id')
          .execute()
        await db.schema
          .createIndex('refresh_families_device')
          .on('refresh_families')
          .column('device_id')
          .execute()
        await db.schema
          .createTable('refresh_tokens')
          .addColumn('hash', 'varchar(64)', (c) => c.primaryKey())
          .addColumn('family_id', 'varchar(64)', (c) => c.notNull())
          .addColumn('parent_hash', 'varchar(64)')
          .addColumn('issued_for', 'varchar(64)')
          .addColumn('generation', 'integer', (c) => c.notNull())
          .addColumn('issued_at', 'bigint', (c) => c.notNull())
          .addColumn('idle_expires_at', 'bigint', (c) => c.notNull())
          .addColumn('consumed_at', 'bigint')
          .addColumn('consumed_reason', 'varchar(20)')
          .execute()
        await db.schema
          .createIndex('refresh_tokens_family')
          .on('refresh_tokens')
          .column('family_id')
          .execute()
        // A token has at most one successor: whatever the code does, the database refuses a fork.
        await db.schema
          .createIndex('refresh_tokens_one_successor')
          .on('refresh_tokens')
          .column('parent_hash')
          .unique()
          .execute()
        await db.schema
          .createTable('revocation_cutoffs')
          .addColumn('kind', 'varchar(20)', (c) => c.notNull())
          .addColumn('value', 'varchar(200)', (c) => c.notNull())
          .addColumn('before_at', 'bigint', (c) => c.notNull())
          .addColumn('expires_at', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint('revocation_cutoffs_pk', ['kind', 'value'])
          .execute()
      },
    },
    '0003-users-sessions-signin': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('users')
          .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
          .addColumn('email', 'varchar(320)', (c) => c.notNull().unique())
          .addColumn('email_verified', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('status', 'varchar(20)', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('last_login_at', 'bigint')
          .execute()
        await db.schema.createIndex('users_created').on('users').columns(['created_at', 'id']).execute()
        await db.schema
          .createTable('browser_sessions')
          .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
          .addColumn('secret_hash', 'varchar(64)', (c) => c.notNull().unique())
          .addColumn('user_id', 'varchar(64)', (c) => c.notNull())
          .addColumn('auth_time', 'bigint', (c) => c.notNull())
          .addColumn('amr', 'varchar(200)', (c) => c.notNull())
          .addColumn('csrf_token', 'varchar(64)', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
          .addColumn('idle_expires_at', 'bigint', (c) => c.notNull())
          .addColumn('expires_at', 'bigint', (c) => c.notNull())
          .addColumn('user_agent', 'varchar(300)', (c) => c.notNull())
          .addColumn('address', 'varchar(100)', (c) => c.notNull())
          .execute()
        await db.schema
          .createIndex('browser_sessions_user')
          .on('browser_sessions')
          .column('user_id')
          .execute()
        await db.schema
          .createTable('signin_flows')
          .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
          .addColumn('email', 'varchar(320)', (c) => c.notNull())
          .addColumn('return_to', 'varchar(2048)', (c) => c.notNull())
          .addColumn('code_hash', 'varchar(64)', (c) => c.notNull())
          .addColumn('link_hash', 'varchar(64)', (c) => c.notNull().unique())
          .addColumn('attempts', 'integer', (c) => c.notNull())
          .addColumn('issued_at', 'bigint', (c) => c.notNull())
          .addColumn('expires_at', 'bigint', (c) => c.notNull())
          .addColumn('consumed_at', 'bigint')
          .addColumn('address', 'varchar(100)', (c) => c.notNull())
          .execute()
      },
    },
    '0004-oidc': {
      async up(db: Kysely<unknown>) {
        // A user's refresh family (offline_access): device_id stays '' and these name the grant.
        for (const [column, type] of [
          ['user_id', 'varchar(100)'],
          ['session_id', 'varchar(100)'],
          ['scope', 'text'],
          ['auth_time', 'bigint'],
          ['amr', 'varchar(200)'],
        ] as const) {
          await db.schema.alterTable('refresh_families').addColumn(column, type).execute()
        }
        await db.schema
          .createIndex('refresh_families_session')
          .on('refresh_families')
          .column('session_id')
          .execute()
        await db.schema
          .createIndex('refresh_families_user')
          .on('refresh_families')
          .column('user_id')
          .execute()
        await db.schema
          .createTable('authorization_codes')
          .addColumn('hash', 'varchar(64)', (c) => c.primaryKey())
          .addColumn('client_id', 'varchar(100)', (c) => c.notNull())
          .addColumn('user_id', 'varchar(100)', (c) => c.notNull())
          .addColumn('session_id', 'varchar(100)', (c) => c.notNull())
          .addColumn('redirect_uri', 'text', (c) => c.notNull())
          .addColumn('scope', 'text', (c) => c.notNull())
          .addColumn('nonce', 'text')
          .addColumn('code_challenge', 'varchar(100)', (c) => c.notNull())
          .addColumn('auth_time', 'bigint', (c) => c.notNull())
          .addColumn('amr', 'varchar(200)', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('expires_at', 'bigint', (c) => c.notNull())
          .addColumn('consumed_at', 'bigint')
          .addColumn('replayed_at', 'bigint')
          .addColumn('access_jti', 'varchar(100)')
          .addColumn('access_expires_at', 'bigint')
          .addColumn('refresh_family_id', 'varchar(64)')
          .execute()
        await db.schema
          .createIndex('authorization_codes_expires')
          .on('authorization_codes')
          .column('expires_at')
          .execute()
        await db.schema
          .createTable('consents')
          .addColumn('user_id', 'varchar(100)', (c) => c.notNull())
          .addColumn('client_id', 'varchar(100)', (c) => c.notNull())
          .addColumn('scope', 'text', (c) => c.notNull())
          .addColumn('granted_at', 'bigint', (c) => c.notNull())
          .addPrimaryKeyConstraint('consents_pk', ['user_id', 'client_id'])
          .execute()
      },
    },
    '0005-passkeys': {
      async up(db: Kysely<unknown>) {
        // Credential ids are at most 1023 bytes (WebAuthn §5.1), 1364 characters in base64url.
        await db.schema
          .createTable('passkeys')
          .addColumn('id', 'varchar(1400)', (c) => c.primaryKey())
          .addColumn('user_id', 'varchar(64)', (c) => c.notNull())
          .addColumn('name', 'varchar(200)', (c) => c.notNull())
          .addColumn('public_jwk', 'text', (c) => c.notNull())
          .addColumn('thumbprint', 'varchar(64)', (c) => c.notNull())
          .addColumn('cose_key', 'text', (c) => c.notNull())
          .addColumn('alg', 'integer', (c) => c.notNull())
          .addColumn('sign_count', 'bigint', (c) => c.notNull())
          .addColumn('transports', 'varchar(200)', (c) => c.notNull())
          .addColumn('aaguid', 'varchar(36)', (c) => c.notNull())
          .addColumn('backup_eligible', 'integer', (c) => c.notNull())
          .addColumn('backup_state', 'integer', (c) => c.notNull())
          .addColumn('user_verified', 'integer', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('last_used_at', 'bigint')
          .addColumn('revoked_at', 'bigint')
          .execute()
        await db.schema
          .createIndex('passkeys_user')
          .on('passkeys')
          .columns(['user_id', 'created_at'])
          .execute()
        await db.schema
          .createTable('passkey_challenges')
          .addColumn('hash', 'varchar(64)', (c) => c.primaryKey())
          .addColumn('ceremony', 'varchar(20)', (c) => c.notNull())
          .addColumn('bound_to', 'varchar(64)', (c) => c.notNull())
          .addColumn('user_id', 'varchar(64)')
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('expires_at', 'bigint', (c) => c.notNull())
          .addColumn('consumed_at', 'bigint')
          .execute()
        await db.schema
          .createIndex('passkey_challenges_expires')
          .on('passkey_challenges')
          .column('expires_at')
          .execute()
      },
    },
    '0006-encryption-keys': {
      async up(db: Kysely<unknown>) {
        // APIs that receive encrypted access tokens; clients keep their keys in their metadata.
        await db.schema
          .createTable('resources')
          .addColumn('resource', 'varchar(1000)', (c) => c.primaryKey())
          .addColumn('name', 'varchar(200)', (c) => c.notNull())
          .addColumn('jwks', 'text')
          .addColumn('jwks_uri', 'varchar(1000)')
          .addColumn('alg', 'varchar(30)', (c) => c.notNull())
          .addColumn('enc', 'varchar(30)', (c) => c.notNull())
          .addColumn('created_at', 'bigint', (c) => c.notNull())
          .addColumn('updated_at', 'bigint', (c) => c.notNull())
          .execute()
        await db.schema
          .createTable('encrypted_tokens')
          .addColumn('hash', 'varchar(64)', (c) => c.primaryKey())
          .addColumn('kid', 'varchar(100)', (c) => c.notNull())
          .addColumn('claims', 'text', (c) => c.notNull())
          .addColumn('expires_at', 'bigint', (c) => c.notNull())
          .execute()
        await db.schema
          .createIndex('encrypted_tokens_expires')
          .on('encrypted_tokens')
          .column('expires_at')
          .execute()
      },
    },
    '0007-shared-counters': {
      async up(db: Kysely<unknown>) {
        // Rate limits and failure counters shared by every instance (limits/): one row per key,
        // its count in the window that ends at expires_at, bumped by one atomic upsert.
        await db.schema
          .createTable('counters')
          .addColumn('key', 'varchar(400)', (c) => c.primaryKey())
          .addColumn('count', 'integer', (c) => c.notNull())
          .addColumn('expires_at', 'bigint', (c) => c.notNull())
          .execute()
        await db.schema.createIndex('counters_expires').on('counters').column('expires_at').execute()
      },
    },
  }
}

export function migrationProvider(dialect: 'sqlite' | 'postgres'): MigrationProvider {
  return { getMigrations: async () => migrations(dialect) }
}
