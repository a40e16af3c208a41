import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
// The authority is started from its built dist, as an operator would run it; the gateway package
// itself never imports it (its sources talk to the authority over HTTP only).
import {
  type Authority,
  type ConfigInput,
  createAuthority,
  loadConfig,
} from '../../../authority/dist/index.js'

export const ADMIN_TOKEN = 'gateway-test-admin-token-0123456789'
const MASTER_KEY = Buffer.alloc(32, 9).toString('base64url')

export function tempDir(prefix = 'tessera-gateway-'): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix))
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
    })
  })
}

export interface TestAuthority {
  readonly url: string
  readonly issuer: string
  readonly authority: Authority
  close(): Promise<void>
}

/**
 * An authority on 127.0.0.1 with SQLite in `dataDir`. Several may share one data dir (the authority
 * supports instances on one database): same keys, and by `issuer` / `clockOffsetMs` the same keys can
 * sign tokens from another issuer, or tokens that are already expired.
 */
export async function startAuthority(
  dataDir: string,
  options: {
    issuer?: string
    clockOffsetMs?: number
    port?: number
    /** Further authority settings (sign-in mail, token lifetimes, …). */
    config?: ConfigInput
  } = {},
): Promise<TestAuthority> {
  const port = options.port ?? (await freePort())
  const url = `http://127.0.0.1:${port}`
  const issuer = options.issuer ?? url
  const config = loadConfig(
    {},
    {
      host: '127.0.0.1',
      port,
      issuer,
      dataDir,
      adminToken: ADMIN_TOKEN,
      masterKey: MASTER_KEY,
      logLevel: 'silent',
      rateLimitPerClient: 0,
      rateLimitPerAddress: 0,
      ...options.config,
    },
  )
  const offset = options.clockOffsetMs ?? 0
  const clock = { now: () => Date.now() + offset, date: undefined }
  const authority = await createAuthority({ config, clock })
  await authority.listen()
  return { url, issuer, authority, close: () => authority.close() }
}

export interface TestClient {
  readonly client_id: string
  readonly client_secret: string
}

export async function registerClient(url: string, metadata: Record<string, unknown>): Promise<TestClient> {
  const response = await fetch(`${url}/oauth/register`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ client_name: 'gateway-test', ...metadata }),
  })
  if (response.status !== 201)
    throw new Error(`registration failed: ${response.status} ${await response.text()}`)
  return (await response.json()) as TestClient
}

/** A client_credentials access token from the authority's token endpoint. */
export async function clientToken(url: string, client: TestClient, scope?: string): Promise<string> {
  const response = await fetch(`${url}/oauth/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', ...(scope ? { scope } : {}) }),
  })
  const body = (await response.json()) as { access_token?: string }
  if (response.status !== 200 || !body.access_token)
    throw new Error(`token request failed: ${response.status}`)
  return body.access_token
}

export async function rotateKeys(url: string): Promise<void> {
  const response = await fetch(`${url}/admin/keys/rotate`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  })
  if (response.status !== 200) throw new Error(`rotation failed: ${response.status} ${await response.text()}`)
}
