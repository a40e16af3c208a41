import type { KeyObject } from 'node:crypto'
import type { ContentEncryptionAlgorithm } from '../../../jwa/content-encryption-algorithms.js'
import type { KeyManagementAlgorithm } from '../../../jwa/key-management-algorithms.js'
import type { Key } from '../../../lib/key.js'

/**
 * Deterministic inputs for reproducing the RFC 7520 examples. Internal: only tests reach them through
 * lib/, the public API never takes them, so no caller can reuse an IV or a salt by accident.
 */
export interface EncryptHooks {
  cek?: Uint8Array
  iv?: Uint8Array
  /** ECDH-ES: the ephemeral private key. */
  ephemeralKey?: KeyObject
  /** PBES2: the salt input (p2s). */
  p2s?: Uint8Array
  /** AES-GCM key wrap: the IV. */
  kwIv?: Uint8Array
}

/** Everything a key management step needs to wrap a CEK for one recipient. */
export interface WrapInput {
  readonly alg: KeyManagementAlgorithm
  readonly enc: ContentEncryptionAlgorithm
  readonly key: Key
  /** The recipient's joined header (apu and apv are read from it). */
  readonly header: Readonly<Record<string, unknown>>
  /** The CEK to wrap; undefined for the direct algorithms, which produce it. */
  readonly cek: Uint8Array | undefined
  readonly p2c: number
  readonly hooks: EncryptHooks
}

export interface WrapResult {
  readonly cek: Uint8Array
  readonly encryptedKey: Uint8Array
  /** Header parameters the step generated (epk, p2s, p2c, iv, tag). */
  readonly parameters: Record<string, unknown>
}

export interface UnwrapInput {
  readonly alg: KeyManagementAlgorithm
  readonly enc: ContentEncryptionAlgorithm
  readonly key: Key
  readonly header: Readonly<Record<string, unknown>>
  readonly encryptedKey: Uint8Array
  readonly maxPBES2Count: number
}
