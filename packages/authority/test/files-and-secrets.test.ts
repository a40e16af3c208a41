import { chmodSync, existsSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../src/config/load-config.js'
import { MasterKeyError } from '../src/keys/master-key.js'
import { createAuthority } from '../src/server.js'
import { freePort, MASTER_KEY, startAuthority, tempDir } from './helpers/authority.js'
import { buildServer, spawnAuthority } from './helpers/authority-process.js'

const mode = (path: string) => statSync(path).mode & 0o777

/** Issue 11 item 10: the admin token's strength, file modes, and the master key's file. */
describe('configuration and files', () => {
  const dir = tempDir()
  afterAll(() => dir.remove())

  it.each([
    ['x', 'one character'],
    ['a'.repeat(31), '31 characters'],
    [`${'a'.repeat(31)} b`, 'a space'],
    [`${'a'.repeat(32)}\u00e9`, 'a non-ASCII character'],
  ])('refuses an admin token of %s (%s)', (token) => {
    expect(() => loadConfig({ TESSERA_ADMIN_TOKEN: token })).toThrow(ConfigError)
    expect(() => loadConfig({ TESSERA_ADMIN_TOKEN: token })).toThrow(
      /"adminToken" \(TESSERA_ADMIN_TOKEN=.*\): must be at least 32 visible ASCII characters/,
    )
  })

  it('accepts 32 visible ASCII characters', () => {
    expect(loadConfig({ TESSERA_ADMIN_TOKEN: '!'.repeat(32) }).adminToken).toBe('!'.repeat(32))
  })

  it('creates the data directory 0700 and every file in it 0600', async () => {
    const dataDir = join(dir.path, 'fresh', 'data')
    const server = await startAuthority({ dataDir, adminToken: undefined, masterKey: undefined })
    await server.close()
    expect(mode(dataDir)).toBe(0o700)
    for (const file of ['tessera.db', 'master-key', 'admin-token'])
      expect(mode(join(dataDir, file))).toBe(0o600)
  })

  it('refuses a short admin token left in the data directory', async () => {
    const dataDir = join(dir.path, 'short-token')
    const server = await startAuthority({ dataDir, adminToken: undefined })
    await server.close()
    writeFileSync(join(dataDir, 'admin-token'), 'short\n')
    await expect(startAuthority({ dataDir, adminToken: undefined })).rejects.toThrow(
      /admin-token: the admin token must be at least 32 visible ASCII characters/,
    )
  })

  it('refuses to start, writing nothing, when the database holds keys but the master-key file is gone', async () => {
    const dataDir = join(dir.path, 'lost-key')
    const server = await startAuthority({ dataDir, masterKey: undefined })
    await server.close()
    rmSync(join(dataDir, 'master-key'))
    const config = loadConfig({}, { dataDir, logLevel: 'silent', adminToken: 'a'.repeat(32) })
    const started = createAuthority({ config })
    await expect(started).rejects.toThrow(MasterKeyError)
    await expect(started).rejects.toThrow(
      /master-key is missing, but the database holds keys sealed under a master key/,
    )
    expect(existsSync(join(dataDir, 'master-key'))).toBe(false)
  })
})

/** Items 10 and 12 as the real process logs them: the key-file warning, and no query strings. */
describe('what the process logs', () => {
  const dir = tempDir()
  let entry: string

  beforeAll(async () => {
    entry = (await buildServer()).entry
  })
  afterAll(() => dir.remove())

  it('warns about a group-readable master-key file and never logs a query string', async () => {
    const keyFile = join(dir.path, 'master-key')
    writeFileSync(keyFile, `${MASTER_KEY}\n`)
    chmodSync(keyFile, 0o640)
    const port = await freePort()
    const server = await spawnAuthority(
      entry,
      {
        TESSERA_DATA_DIR: join(dir.path, 'data'),
        TESSERA_MASTER_KEY: '',
        TESSERA_MASTER_KEY_FILE: keyFile,
        TESSERA_LOG_LEVEL: 'info',
      },
      port,
    )
    try {
      const response = await fetch(`${server.url}/oauth/token?client_secret=SEKRIT-0123&x=1`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials',
      })
      expect(response.status).toBe(401)
      await new Promise((resolve) => setTimeout(resolve, 200))
      const output = server.output()
      expect(output).toMatch(/master-key file .* is readable by its group or by others; chmod 600 it/)
      expect(output).toContain('"url":"/oauth/token"')
      expect(output).not.toContain('SEKRIT')
    } finally {
      await server.stop()
    }
  })
})
