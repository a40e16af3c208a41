import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type ConfigInput, loadConfig } from '../../src/config/load-config.js'
import type { Clock } from '../../src/lib/clock.js'
import { type Authority, createAuthority } from '../../src/server.js'

export const ADMIN_TOKEN = 'test-admin-token-0123456789-abcdefghijklmnop'
export const MASTER_KEY = Buffer.alloc(32, 7).toString('base64url')

export function tempDir(): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), 'tessera-test-'))
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) }
}

export interface RunningAuthority {
  authority: Authority
  url: string
  close(): Promise<void>
}

/**
 * Starts an authority on 127.0.0.1 with an ephemeral port. The issuer must be known before listening,
 * so the port is picked first by the OS and then handed to the config.
 */
export async function startAuthority(
  overrides: ConfigInput & { dataDir: string },
  clock?: Clock,
  port = 0,
): Promise<RunningAuthority> {
  const chosen = port || (await freePort())
  const config = loadConfig(
    {},
    {
      host: '127.0.0.1',
      port: chosen,
      issuer: `http://127.0.0.1:${chosen}`,
      adminToken: ADMIN_TOKEN,
      masterKey: MASTER_KEY,
      logLevel: 'silent',
      ...overrides,
    },
  )
  const authority = await createAuthority(clock ? { config, clock } : { config })
  const url = await authority.listen()
  return { authority, url, close: () => authority.close() }
}

export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net')
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
    })
  })
}

export async function registerClient(url: string, metadata: Record<string, unknown> = {}) {
  const response = await fetch(`${url}/oauth/register`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ client_name: 'test', scope: 'read write', ...metadata }),
  })
  if (response.status !== 201)
    throw new Error(`registration failed: ${response.status} ${await response.text()}`)
  return (await response.json()) as { client_id: string; client_secret: string } & Record<string, unknown>
}

export function basic(clientId: string, secret: string): string {
  const form = (value: string) => encodeURIComponent(value).replace(/%20/g, '+')
  return `Basic ${Buffer.from(`${form(clientId)}:${form(secret)}`).toString('base64')}`
}

export async function requestToken(
  url: string,
  client: { client_id: string; client_secret: string },
  params: Record<string, string> = {},
) {
  const send = () =>
    fetch(`${url}/oauth/token`, {
      method: 'POST',
      headers: {
        authorization: basic(client.client_id, client.client_secret),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', ...params }),
    })
  // A pooled keep-alive connection to a server that has just restarted fails once, as it would for
  // any HTTP client; retry that (and only that) on a fresh connection.
  const response = await send().catch(send)
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown>,
  }
}
