import { statSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config/load-config.js'
import { MasterKeyError } from '../src/keys/master-key.js'
import { createManualClock } from '../src/lib/clock.js'
import { createAuthority } from '../src/server.js'
import { createStorage } from '../src/storage/create-storage.js'
import {
  ADMIN_TOKEN,
  basic,
  type RunningAuthority,
  registerClient,
  requestToken,
  startAuthority,
  tempDir,
} from './helpers/authority.js'

const admin = { authorization: `Bearer ${ADMIN_TOKEN}` }

describe('JWKS, key revocation and rotation over HTTP', () => {
  const dir = tempDir()
  let server: RunningAuthority

  beforeAll(async () => {
    server = await startAuthority({ dataDir: dir.path })
  })
  afterAll(async () => {
    await server?.close()
    dir.remove()
  })

  it('serves the JWKS with max-age below the publish lead, an ETag and 304s', async () => {
    const response = await fetch(`${server.url}/.well-known/jwks.json`)
    expect(response.headers.get('cache-control')).toBe('public, max-age=300')
    const etag = response.headers.get('etag') as string
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/)
    const jwks = (await response.json()) as { keys: Record<string, unknown>[] }
    expect(jwks.keys).toHaveLength(1)
    expect(jwks.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' })
    expect(jwks.keys[0]).not.toHaveProperty('d')
    const again = await fetch(`${server.url}/.well-known/jwks.json`, { headers: { 'if-none-match': etag } })
    expect(again.status).toBe(304)
    expect(await again.text()).toBe('')
    expect(
      (await fetch(`${server.url}/.well-known/jwks.json`, { headers: { 'if-none-match': '"other"' } }))
        .status,
    ).toBe(200)
  })

  it('rotates on demand: the new key signs, the old one stays published', async () => {
    const client = await registerClient(server.url)
    const before = (await requestToken(server.url, client)).body.access_token as string
    const rotated = (await (
      await fetch(`${server.url}/admin/keys/rotate`, { method: 'POST', headers: admin })
    ).json()) as {
      signing_kid: string
    }
    const after = (await requestToken(server.url, client)).body.access_token as string
    const kidOf = (token: string) =>
      JSON.parse(Buffer.from(token.split('.')[0] as string, 'base64url').toString()).kid
    expect(kidOf(after)).toBe(rotated.signing_kid)
    expect(kidOf(after)).not.toBe(kidOf(before))
    const jwks = (await (await fetch(`${server.url}/.well-known/jwks.json`)).json()) as {
      keys: { kid: string }[]
    }
    expect(jwks.keys.map((key) => key.kid).sort()).toEqual([kidOf(before), kidOf(after)].sort())
  })

  it('revokes a compromised key: out of the JWKS at once, its tokens inactive, a new key signing', async () => {
    const client = await registerClient(server.url)
    const token = (await requestToken(server.url, client)).body.access_token as string
    const kid = JSON.parse(Buffer.from(token.split('.')[0] as string, 'base64url').toString()).kid
    const introspect = async () =>
      (
        (await (
          await fetch(`${server.url}/oauth/introspect`, {
            method: 'POST',
            headers: {
              authorization: basic(client.client_id, client.client_secret),
              'content-type': 'application/x-www-form-urlencoded',
            },
            body: new URLSearchParams({ token }),
          })
        ).json()) as { active: boolean }
      ).active
    expect(await introspect()).toBe(true)
    const response = await fetch(`${server.url}/admin/keys/${kid}/revoke`, { method: 'POST', headers: admin })
    expect(response.status).toBe(200)
    const { signing_kid } = (await response.json()) as { signing_kid: string }
    expect(signing_kid).not.toBe(kid)
    const jwks = (await (await fetch(`${server.url}/.well-known/jwks.json`)).json()) as {
      keys: { kid: string }[]
    }
    expect(jwks.keys.map((key) => key.kid)).not.toContain(kid)
    expect(await introspect()).toBe(false)
    expect((await requestToken(server.url, client)).status).toBe(200)
    expect(
      (await fetch(`${server.url}/admin/keys/${kid}/revoke`, { method: 'POST', headers: admin })).status,
    ).toBe(404)
    const keys = (await (await fetch(`${server.url}/admin/keys`, { headers: admin })).json()) as {
      keys: { kid: string; state: string }[]
    }
    expect(keys.keys.find((key) => key.kid === kid)?.state).toBe('revoked')
  })
})

describe('private keys at rest and the master key', () => {
  it('stores only sealed private keys, creates a 0600 master key file, and refuses a wrong key', async () => {
    const dir = tempDir()
    try {
      const config = loadConfig({}, { dataDir: dir.path, port: 0, host: '127.0.0.1', logLevel: 'silent' })
      const first = await createAuthority({ config })
      expect(first.masterKey.source).toBe('generated')
      expect(statSync(join(dir.path, 'master-key')).mode & 0o777).toBe(0o600)
      expect(statSync(join(dir.path, 'admin-token')).mode & 0o777).toBe(0o600)
      const records = await first.context.storage.listKeys()
      await first.close()
      expect(records.length).toBeGreaterThan(0)
      for (const record of records) {
        expect(record.sealedPrivateKey.split('.')).toHaveLength(5)
        expect(
          JSON.parse(Buffer.from(record.sealedPrivateKey.split('.')[0] as string, 'base64url').toString()),
        ).toMatchObject({
          alg: 'dir',
          enc: 'A256GCM',
        })
        expect(record.sealedPrivateKey).not.toContain('"d"')
      }

      // Restarting with the generated file works and keeps the same keys.
      const second = await createAuthority({ config })
      expect((await second.context.storage.listKeys()).map((key) => key.kid)).toEqual(
        records.map((key) => key.kid),
      )
      await second.close()

      const wrong = loadConfig(
        {},
        { dataDir: dir.path, masterKey: Buffer.alloc(32, 1).toString('base64url'), logLevel: 'silent' },
      )
      await expect(createAuthority({ config: wrong })).rejects.toThrow(MasterKeyError)
      await expect(createAuthority({ config: wrong })).rejects.toThrow(/wrong master key/)
      // Nothing was replaced: the original keys are still there.
      const storage = createStorage(config.databaseUrl)
      expect((await storage.listKeys()).map((key) => key.kid)).toEqual(records.map((key) => key.kid))
      await storage.close()

      const malformed = loadConfig({}, { dataDir: dir.path, masterKey: 'short', logLevel: 'silent' })
      await expect(createAuthority({ config: malformed })).rejects.toThrow(
        /TESSERA_MASTER_KEY: the master key must be 32 bytes/,
      )
    } finally {
      dir.remove()
    }
  })
})

describe('introspection on the authority clock', () => {
  it('reports a token inactive once it expires, even after it was introspected (and cached) while active', async () => {
    const dir = tempDir()
    const clock = createManualClock(Date.UTC(2032, 0, 1))
    const server = await startAuthority({ dataDir: dir.path }, clock)
    try {
      const client = await registerClient(server.url)
      const token = (await requestToken(server.url, client)).body.access_token as string
      const introspect = async () => {
        const response = await fetch(`${server.url}/oauth/introspect`, {
          method: 'POST',
          headers: {
            authorization: basic(client.client_id, client.client_secret),
            'content-type': 'application/x-www-form-urlencoded',
          },
          body: new URLSearchParams({ token }),
        })
        return ((await response.json()) as { active: boolean }).active
      }
      expect(await introspect()).toBe(true)
      clock.advance(14 * 60_000)
      expect(await introspect()).toBe(true)
      clock.advance(60_000)
      expect(await introspect()).toBe(false)
    } finally {
      await server.close()
      dir.remove()
    }
  })
})
