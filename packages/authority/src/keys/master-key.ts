import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { AuthorityConfig } from '../config/load-config.js'
import { ensurePrivateDir, readableByOthers, writePrivateFile } from '../lib/private-files.js'
import type { Storage } from '../storage/types.js'
import { createSealer, SealError, type Sealer } from './seal.js'

/**
 * The master key is missing, malformed, readable by others or not the one the stored keys were sealed
 * under: start-up stops rather than run without its keys.
 */
export class MasterKeyError extends Error {
  override name = 'MasterKeyError'
}

export interface MasterKey {
  bytes: Uint8Array
  /** Where it came from, for the start-up log. */
  source: 'environment' | 'file' | 'generated'
  path?: string
  /** Set when the key file is readable by others; the caller logs it. */
  warning?: string
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
 * when none exists and the database holds nothing sealed yet, a new one is written there with mode
 * 0600 (the caller warns). A database that already holds sealed keys without its key file is a lost
 * or misplaced key: start-up stops, and writes no new key that would hide the loss.
 */
export async function loadMasterKey(config: AuthorityConfig, storage: Storage): Promise<MasterKey> {
  if (config.masterKey !== undefined)
    return { bytes: decode(config.masterKey, 'TESSERA_MASTER_KEY'), source: 'environment' }
  const path = config.masterKeyFile ?? join(config.dataDir, 'master-key')
  if (existsSync(path)) {
    const key: MasterKey = { bytes: decode(readFileSync(path, 'utf8'), path), source: 'file', path }
    if (readableByOthers(path)) {
      key.warning = `the master-key file ${path} is readable by its group or by others; chmod 600 it`
    }
    return key
  }
  if (config.masterKeyFile !== undefined)
    throw new MasterKeyError(`TESSERA_MASTER_KEY_FILE: ${path} does not exist`)
  if ((await storage.getMeta(CHECK_NAME)) !== undefined) {
    throw new MasterKeyError(
      `${path} is missing, but the database holds keys sealed under a master key: restore the file, or set TESSERA_MASTER_KEY or TESSERA_MASTER_KEY_FILE (no new key was written)`,
    )
  }
  const bytes = randomBytes(32)
  ensurePrivateDir(config.dataDir)
  writePrivateFile(path, `${bytes.toString('base64url')}\n`)
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
