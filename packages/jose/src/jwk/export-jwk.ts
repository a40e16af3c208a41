import { createPublicKey } from 'node:crypto'
import { type Key, keyObjectOf } from '../lib/key.js'
import { toKey } from '../lib/key-input.js'
import { assertKnownOptions, declareOptions } from '../lib/options.js'
import type { JWK } from './types.js'

/** Options of exportJWK: whether a private key is exported without its private members. */
export interface ExportJWKOptions {
  /** Export only the public members of a private key. */
  publicOnly?: boolean
}

const EXPORT_JWK_OPTIONS = declareOptions<ExportJWKOptions>({ publicOnly: true })

/**
 * Exports a key as a JWK: private members for private and secret keys (unless `publicOnly`), and the
 * key's `kid`, `alg`, `use` and `key_ops` when it has them.
 *
 * @example
 * import { exportJWK, generateKeyPair } from '@tessera/jose'
 * const { publicKey } = await generateKeyPair('ES256')
 * const jwk = await exportJWK(publicKey)
 */
export async function exportJWK(key: Key, options?: ExportJWKOptions): Promise<JWK> {
  assertKnownOptions(options, EXPORT_JWK_OPTIONS, 'exportJWK')
  return exportJWKSync(key, options)
}

/** The synchronous form of exportJWK. */
export function exportJWKSync(keyInput: Key, options?: ExportJWKOptions): JWK {
  assertKnownOptions(options, EXPORT_JWK_OPTIONS, 'exportJWKSync')
  const key = toKey(keyInput)
  let handle = keyObjectOf(key)
  if (options?.publicOnly) {
    if (handle.type === 'secret') throw new TypeError('a secret key has no public part to export')
    if (handle.type === 'private') handle = createPublicKey(handle)
  }
  const jwk = handle.export({ format: 'jwk' }) as JWK
  if (key.kid !== undefined) jwk.kid = key.kid
  if (key.alg !== undefined) jwk.alg = key.alg
  if (key.use !== undefined) jwk.use = key.use
  if (key.keyOps !== undefined) jwk.key_ops = [...key.keyOps]
  return jwk
}
