import type { JOSEHeaderParameters } from '../lib/header.js'
import type { Key } from '../lib/key.js'
import type { KeyInput } from '../lib/key-input.js'

/** JOSE header parameters of a JWE (RFC 7516 §4.1, RFC 7518 §4). */
export interface JWEHeaderParameters extends JOSEHeaderParameters {
  enc?: string
  zip?: string
  epk?: Record<string, unknown>
  apu?: string
  apv?: string
  iv?: string
  tag?: string
  p2s?: string
  p2c?: number
}

/** RFC 7516 §7.2.2: one recipient, JSON members as transmitted. */
export interface FlattenedJWE {
  protected?: string
  unprotected?: JWEHeaderParameters
  header?: JWEHeaderParameters
  encrypted_key?: string
  iv: string
  ciphertext: string
  tag: string
  aad?: string
}

/** RFC 7516 §7.2.1: one ciphertext, several recipients. */
export interface GeneralJWE {
  protected?: string
  unprotected?: JWEHeaderParameters
  recipients: Array<{ header?: JWEHeaderParameters; encrypted_key?: string }>
  iv: string
  ciphertext: string
  tag: string
  aad?: string
}

/** Headers and additional authenticated data of a JSON-serialized JWE. */
export interface JWEEncryptHeaders {
  protectedHeader?: JWEHeaderParameters
  /** The shared unprotected header (`unprotected`): not integrity protected. */
  sharedUnprotectedHeader?: JWEHeaderParameters
  /** Additional authenticated data (`aad`), integrity protected but not encrypted. */
  additionalAuthenticatedData?: Uint8Array | string
}

/** One recipient of generalEncrypt: the key the content key is wrapped to and that recipient's own header. */
export interface GeneralEncryptRecipient {
  key: KeyInput
  /** The per-recipient unprotected header (`header`), e.g. its `alg` and `kid`. */
  unprotectedHeader?: JWEHeaderParameters
}

/** What compactDecrypt returns: the plaintext, the protected header it was authenticated with and the key that opened it. */
export interface CompactDecryptResult {
  plaintext: Uint8Array
  protectedHeader: JWEHeaderParameters
  key: Key
}

/**
 * What flattenedDecrypt returns: the plaintext, each header set as sent, the additional authenticated
 * data when there was any, and the key that opened it.
 */
export interface FlattenedDecryptResult {
  plaintext: Uint8Array
  protectedHeader: JWEHeaderParameters | undefined
  sharedUnprotectedHeader: JWEHeaderParameters | undefined
  unprotectedHeader: JWEHeaderParameters | undefined
  additionalAuthenticatedData: Uint8Array | undefined
  key: Key
}

/** What generalDecrypt returns: a flattened result plus which recipient's entry the key opened. */
export interface GeneralDecryptResult extends FlattenedDecryptResult {
  /** Which entry of `recipients` decrypted. */
  recipientIndex: number
}

/** A key, or a function that picks one from the joined header (a JWK set lookup by `kid`…). */
export type JWEKeyResolver<Token> = (
  header: JWEHeaderParameters,
  token: Token,
) => KeyInput | Promise<KeyInput>

/**
 * Options every decrypt function takes: the two required allowlists (`alg` and `enc`) and the limits
 * that bound an attacker's work.
 */
export interface JWEDecryptOptions {
  /** The key management algorithms (`alg`) this call accepts. Required: no default accepts everything. */
  keyManagementAlgorithms: readonly string[]
  /** The content encryption algorithms (`enc`) this call accepts. Required. */
  contentEncryptionAlgorithms: readonly string[]
  /** Extension header parameters the caller understands and enforces, so `crit` may list them. */
  crit?: readonly string[]
  /** Refuse serialized tokens longer than this many characters. Default 1 MiB. */
  maxTokenLength?: number
  /** Refuse `zip: "DEF"` content that inflates past this many bytes (checked while inflating). Default 256 KiB. */
  maxDecompressedLength?: number
  /** Refuse PBES2 tokens whose `p2c` is above this. Default 100000; at least 1000. */
  maxPBES2Count?: number
}

/** Options every encrypt function takes: the PBES2 iteration count and the `crit` parameters the sender declares. */
export interface JWEEncryptOptions {
  /** PBES2 iteration count. Default 10000; at least 1000 and at most 10,000,000. */
  p2c?: number
  /** Extension parameters the sender declares it understands, so they may be listed in `crit`. */
  crit?: readonly string[]
}
