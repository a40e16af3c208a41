import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { inject } from 'vitest'

/** The cluster's URL; throws (failing the test) when the global setup could not start PostgreSQL. */
export function postgresUrl(): string {
  const url = inject('postgresUrl')
  if (!url) throw new Error(`PostgreSQL did not start: ${inject('postgresError') || 'unknown reason'}`)
  return url
}

/** A fresh database on the shared cluster, so test files never see each other's rows. */
export async function createDatabase(): Promise<string> {
  const base = postgresUrl()
  const name = `t_${randomBytes(6).toString('hex')}`
  const client = new pg.Client({ connectionString: base })
  await client.connect()
  try {
    await client.query(`CREATE DATABASE ${name}`)
  } finally {
    await client.end()
  }
  const url = new URL(base)
  url.pathname = `/${name}`
  return url.toString()
}
