import { dirname } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { Kysely, PostgresDialect, type SqliteDatabase, SqliteDialect } from 'kysely'
import pg from 'pg'
import { ensurePrivateDir, ensurePrivateFile } from '../lib/private-files.js'
import { KyselyStorage } from './kysely-storage.js'
import type { Database } from './schema.js'
import type { Storage } from './types.js'

const INT8_OID = 20
const STATEMENT_CACHE_LIMIT = 200

/**
 * Kysely's SQLite driver prepares every query afresh; preparing costs more than running the point
 * lookups on the hot paths (revocation checks at introspection, client reads). This keeps the prepared
 * statements by SQL text, bounded (oldest dropped first), and never hands out one that is still
 * iterating. SQLite re-prepares a cached statement itself after a schema change.
 */
function cachingStatements(database: BetterSqlite3.Database): SqliteDatabase {
  const cache = new Map<string, BetterSqlite3.Statement>()
  return {
    close: () => {
      cache.clear()
      database.close()
    },
    prepare(sql: string) {
      const cached = cache.get(sql)
      if (cached !== undefined && !cached.busy) return cached
      const statement = database.prepare(sql)
      if (cached === undefined) {
        if (cache.size >= STATEMENT_CACHE_LIMIT) cache.delete(cache.keys().next().value as string)
        cache.set(sql, statement)
      }
      return statement
    },
  }
}

/**
 * Opens storage from a database URL: `sqlite:<path>` (`sqlite::memory:` for tests) or
 * `postgres://…`. Does not migrate; call storage.migrate().
 */
export function createStorage(databaseUrl: string): Storage {
  if (databaseUrl.startsWith('sqlite:')) {
    const path = databaseUrl.slice('sqlite:'.length)
    if (path !== ':memory:') {
      // Private before SQLite opens it: the -wal and -shm files take the database file's mode.
      ensurePrivateDir(dirname(path))
      ensurePrivateFile(path)
    }
    const database = new BetterSqlite3(path)
    // WAL lets readers proceed during a write; busy_timeout makes a second process wait, not fail.
    database.pragma('journal_mode = WAL')
    database.pragma('busy_timeout = 5000')
    database.pragma('synchronous = NORMAL')
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: cachingStatements(database) }) })
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
