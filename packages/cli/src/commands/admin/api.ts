import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { failure, usageError } from '../../lib/exit.js'
import { fetchBounded } from '../../lib/http.js'
import { checkFetchURL } from '../../lib/url.js'

export interface AdminOptions {
  url?: string
  dataDir?: string
  tokenFile?: string
}

// biome-ignore lint/suspicious/noExplicitAny: admin answers of many shapes, each read by the command that asked.
export type Json = Record<string, any>

/** TESSERA_URL, else the issuer, else the authority's default address; https, or http to localhost. */
function baseURL(options: AdminOptions): URL {
  const value =
    options.url ??
    process.env.TESSERA_URL ??
    process.env.TESSERA_ISSUER ??
    `http://localhost:${process.env.PORT ?? 3000}`
  // The admin token is a bearer credential: never sent in the clear beyond this machine.
  return checkFetchURL(value.endsWith('/') ? value : `${value}/`, '--url')
}

/**
 * The admin token is never an argument (argv is visible to every user of the machine): it comes from
 * TESSERA_ADMIN_TOKEN, from --token-file, or from <dataDir>/admin-token where the authority wrote it.
 */
function adminToken(options: AdminOptions): string {
  const fromEnv = process.env.TESSERA_ADMIN_TOKEN
  if (options.tokenFile === undefined && fromEnv !== undefined && fromEnv !== '') return fromEnv
  const path =
    options.tokenFile ??
    join(resolve(options.dataDir ?? process.env.TESSERA_DATA_DIR ?? './data'), 'admin-token')
  let token: string
  try {
    token = readFileSync(path, 'utf8').trim()
  } catch {
    throw usageError(
      `no admin token: set TESSERA_ADMIN_TOKEN, or point --data-dir or --token-file at the admin-token file (${path} not readable)`,
    )
  }
  if (token === '') throw usageError(`${path} is empty`)
  return token
}

export interface AdminClient {
  readonly url: URL
  request(method: string, path: string, body?: unknown): Promise<Json>
}

export function adminClient(options: AdminOptions): AdminClient {
  const url = baseURL(options)
  const token = adminToken(options)
  return {
    url,
    async request(method, path, body) {
      const target = new URL(path.replace(/^\//, ''), url)
      const response = await fetchBounded(target, {
        method,
        timeoutMs: 10_000,
        maxBytes: 4 * 1024 * 1024,
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      })
      const text = response.body.toString('utf8')
      let parsed: Json = {}
      try {
        parsed = text === '' ? {} : (JSON.parse(text) as Json)
      } catch {
        parsed = {}
      }
      if (response.status < 200 || response.status >= 300) {
        const detail =
          typeof parsed.error === 'string'
            ? `${parsed.error}${parsed.error_description ? `: ${parsed.error_description}` : ''}`
            : text.slice(0, 200)
        throw failure(`${method} ${target.pathname}: HTTP ${response.status} ${detail}`)
      }
      return parsed
    },
  }
}
