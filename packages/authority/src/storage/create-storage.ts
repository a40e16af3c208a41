import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely'
import pg from 'pg'
import { KyselyStorage } from './kysely-storage.js'
import type { Database } from './schema.js'
import type { Storage } from './types.js'

const INT8_OID = 20

/**
 * Opens storage from a database URL: `sqlite:<path>` (`sqlite::memory:` for tests) or
 * `postgres://…`. Does not migrate; call storage.migrate().
 */
export function createStorage(databaseUrl: string): Storage {
  if (databaseUrl.startsWith('sqlite:')) {
    const path = databaseUrl.slice('sqlite:'.length)
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
    const database = new BetterSqlite3(path)
    // WAL lets readers proceed during a write; busy_timeout makes a second process wait, not fail.
    database.pragma('journal_mode = WAL')
    database.pragma('busy_timeout = 5000')
    database.pragma('synchronous = NORMAL')
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) })
    return new KyselyStorage(db, 'sqlite')
  }
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) {
    const pool = new pg.Pool({
      connectionString: databaseUrl,
      max: 10,
      // Epoch milliseconds are bigint columns; they fit a double exactly, so read them as numbers.
      types: {
        getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
          oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as never,
      },
    })
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
    return new KyselyStorage(db, 'postgres')
  }
  throw new TypeError('"databaseUrl" must start with sqlite: or postgres://')
}
