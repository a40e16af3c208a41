import { Buffer } from 'node:buffer'
import { JOSEError } from '../../errors.js'
import { assertEncryptionKey } from '../../lib/assert-key.js'
import { decodeBase64url } from '../../lib/base64url.js'
import { assertHeaderObject, type JOSEHeaderParameters } from '../../lib/header.js'
import { parseJSONObject } from '../../lib/json.js'
import type { Key } from '../../lib/key.js'
import { resolvedKey } from '../../lib/key-input.js'
import { decryptContent } from './content/encryption.js'
import { assertJWECrit, joinJWEHeaders, readAllowedAlgorithms, readZip } from './headers.js'
import { checkKeyManagementHeader, unwrapCEK } from './key-management/cek.js'
import type { ResolvedJWEOptions } from './options.js'
import { inflate } from './zip.js'

/** One recipient's view of a JWE, as transmitted (flattened members; compact and general map onto it). */
export interface JWEParts {
  protected?: unknown
  unprotected?: unknown
  header?: unknown
  encrypted_key?: unknown
  iv?: unknown
  ciphertext?: unknown
  tag?: unknown
  aad?: unknown
}

export interface DecryptedJWE {
  plaintext: Uint8Array
  protectedHeader: JOSEHeaderParameters | undefined
  sharedUnprotectedHeader: JOSEHeaderParameters | undefined
  unprotectedHeader: JOSEHeaderParameters | undefined
  joinedHeader: JOSEHeaderParameters
  additionalAuthenticatedData: Uint8Array | undefined
  key: Key
}

/** Picks the key once headers are checked: a fixed key, or the caller's resolver. */
export type ResolveKey = (joinedHeader: JOSEHeaderParameters) => unknown

function invalid(message: string): never {
  throw new JOSEError('ERR_JWE_INVALID', message)
}

function member(
  parts: JWEParts,
  name: 'iv' | 'ciphertext' | 'tag' | 'encrypted_key' | 'aad',
  required: boolean,
) {
  const value = parts[name]
  if (value === undefined && !required) return undefined
  if (typeof value !== 'string') invalid(`"${name}" must be a string`)
  return decodeBase64url(value, `the "${name}" member`)
}

/** The message for every failure after the key is known: one text, so the error is no oracle. */
export function decryptionFailed(): never {
  throw new JOSEError('ERR_JWE_DECRYPTION_FAILED', 'decryption failed')
}

/**
 * RFC 7516 §5.2 for one recipient: every structural, header and allowlist check before a key is
 * resolved, then key management, then authenticated decryption, then (bounded) decompression.
 */
export async function decryptJWEParts(
  parts: JWEParts,
  resolveKey: ResolveKey,
  options: ResolvedJWEOptions,
): Promise<DecryptedJWE> {
  const { protected: protectedPart, unprotected, header } = parts
  if (protectedPart !== undefined && typeof protectedPart !== 'string')
    invalid('"protected" must be a string')
  let protectedHeader: Record<string, unknown> | undefined
  if (protectedPart !== undefined) {
    const bytes = decodeBase64url(protectedPart, 'the protected header')
    protectedHeader = Object.freeze(parseJSONObject(bytes, 'the protected header', 'ERR_JOSE_INVALID_HEADER'))
  }
  if (unprotected !== undefined) assertHeaderObject(unprotected, 'the shared unprotected header')
  if (header !== undefined) assertHeaderObject(header, 'the per-recipient header')
  const sets = { protectedHeader, sharedUnprotectedHeader: unprotected, unprotectedHeader: header }
  const joined = joinJWEHeaders(sets)
  const { alg, enc } = readAllowedAlgorithms(
    joined,
    options.keyManagementAlgorithms,
    options.contentEncryptionAlgorithms,
  )
  assertJWECrit(protectedHeader, joined, options.crit)
  const zip = readZip(sets, joined)

  const iv = member(parts, 'iv', true) as Buffer
  const ciphertext = member(parts, 'ciphertext', true) as Buffer
  const tag = member(parts, 'tag', true) as Buffer
  const encryptedKey = member(parts, 'encrypted_key', false) ?? Buffer.alloc(0)
  const aad = member(parts, 'aad', false)
  if (iv.length !== enc.ivBytes)
    invalid(`${enc.name} needs a ${enc.ivBytes * 8}-bit IV, not ${iv.length * 8} bits`)
  if (tag.length !== enc.tagBytes)
    invalid(`${enc.name} needs a ${enc.tagBytes * 8}-bit tag, not ${tag.length * 8} bits`)
  if (alg.direct && encryptedKey.length !== 0) invalid(`${alg.name} must have an empty encrypted key`)
  if (!alg.direct && encryptedKey.length === 0) invalid(`${alg.name} needs an encrypted key`)
  checkKeyManagementHeader({ alg, header: joined, maxPBES2Count: options.maxPBES2Count })

  const key = resolvedKey(await resolveKey(joined as JOSEHeaderParameters))
  assertEncryptionKey(key, alg, enc, 'decrypt')
  const cek = await unwrapCEK({
    alg,
    enc,
    key,
    header: joined,
    encryptedKey,
    maxPBES2Count: options.maxPBES2Count,
  })

  // RFC 7516 §5.2 step 14: ASCII(BASE64URL(protected)) [ || '.' || BASE64URL(aad) ].
  const aadInput = Buffer.from(
    aad === undefined ? (protectedPart ?? '') : `${protectedPart ?? ''}.${parts.aad}`,
    'ascii',
  )
  const decrypted = decryptContent(enc, cek, iv, ciphertext, tag, aadInput)
  if (decrypted === null) decryptionFailed()
  const plaintext = zip ? await inflate(decrypted, options.maxDecompressedLength) : decrypted
  return {
    plaintext,
    protectedHeader: protectedHeader as JOSEHeaderParameters | undefined,
    sharedUnprotectedHeader: unprotected as JOSEHeaderParameters | undefined,
    unprotectedHeader: header as JOSEHeaderParameters | undefined,
    joinedHeader: joined as JOSEHeaderParameters,
    additionalAuthenticatedData: aad,
    key,
  }
}

/** What the public decrypt functions return for one recipient: the result less the internal joined header. */
export function decryptResult(decrypted: DecryptedJWE) {
  return {
    plaintext: decrypted.plaintext,
    protectedHeader: decrypted.protectedHeader,
    sharedUnprotectedHeader: decrypted.sharedUnprotectedHeader,
    unprotectedHeader: decrypted.unprotectedHeader,
    additionalAuthenticatedData: decrypted.additionalAuthenticatedData,
    key: decrypted.key,
  }
}
