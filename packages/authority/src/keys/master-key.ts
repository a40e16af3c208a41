import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { AuthorityConfig } from '../config/load-config.js'
import type { Storage } from '../storage/types.js'
import { createSealer, SealError, type Sealer } from './seal.js'

export class MasterKeyError extends Error {
  override name = 'MasterKeyError'
}

export interface MasterKey {
  bytes: Uint8Array
  /** Where it came from, for the start-up log. */
  source: 'environment' | 'file' | 'generated'
  path?: string
}

function decode(text: string, where: string): Uint8Array {
  const trimmed = text.trim()
  const bytes = /^[A-Za-z0-9_-]{43}$/.test(trimmed)
    ? Buffer.from(trimmed, 'base64url')
    : /^[0-9a-fA-F]{64}$/.test(trimmed)
      ? Buffer.from(trimmed, 'hex')
      : undefined
  if (bytes?.length !== 32)
    throw new MasterKeyError(`${where}: the master key must be 32 bytes as base64url (43 characters) or hex`)
  return bytes
}

/**
 * The master key from TESSERA_MASTER_KEY, else TESSERA_MASTER_KEY_FILE, else <dataDir>/master-key;
 * when none exists, a new one is written there with mode 0600 (the caller warns).
 */
export function loadMasterKey(config: AuthorityConfig): MasterKey {
  if (config.masterKey !== undefined)
    return { bytes: decode(config.masterKey, 'TESSERA_MASTER_KEY'), source: 'environment' }
  const path = config.masterKeyFile ?? join(config.dataDir, 'master-key')
  if (existsSync(path)) return { bytes: decode(readFileSync(path, 'utf8'), path), source: 'file', path }
  if (config.masterKeyFile !== undefined)
    throw new MasterKeyError(`TESSERA_MASTER_KEY_FILE: ${path} does not exist`)
  const bytes = randomBytes(32)
  mkdirSync(config.dataDir, { recursive: true })
  writeFileSync(path, `${bytes.toString('base64url')}\n`, { mode: 0o600, flag: 'wx' })
  return { bytes, source: 'generated', path }
}

const CHECK_NAME = 'master_key_check'
const CHECK_TEXT = 'tessera master key check'

/**
 * Binds the database to the master key: the first start stores a value sealed under it, and every
 * later start must unseal that value. A wrong key stops start-up here, before it could be mistaken
 * for an empty key set and replaced by new keys.
 */
export async function openSealer(storage: Storage, masterKey: MasterKey): Promise<Sealer> {
  const sealer = createSealer(masterKey.bytes)
  const stored = await storage.initMeta(CHECK_NAME, await sealer.seal(CHECK_TEXT))
  try {
    if ((await sealer.unseal(stored)) === CHECK_TEXT) return sealer
  } catch (error) {
    if (!(error instanceof SealError)) throw error
  }
  throw new MasterKeyError(
    `wrong master key (${masterKey.source}${masterKey.path ? ` ${masterKey.path}` : ''}): it cannot decrypt the keys already in this database`,
  )
}
