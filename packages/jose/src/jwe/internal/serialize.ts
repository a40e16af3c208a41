import type { FlattenedJWE, GeneralJWE } from '../types.js'
import type { EncryptedJWE } from './encrypt.js'

/** RFC 7516 §7.1: BASE64URL(protected) . encrypted key . IV . ciphertext . tag (one recipient). */
export function toCompact(jwe: EncryptedJWE): string {
  const recipient = jwe.recipients[0] as EncryptedJWE['recipients'][number]
  return `${jwe.protectedPart}.${recipient.encryptedKey}.${jwe.iv}.${jwe.ciphertext}.${jwe.tag}`
}

/** RFC 7516 §7.2.2, leaving out the members that are empty or absent. */
export function toFlattened(jwe: EncryptedJWE): FlattenedJWE {
  const recipient = jwe.recipients[0] as EncryptedJWE['recipients'][number]
  const out: FlattenedJWE = { iv: jwe.iv, ciphertext: jwe.ciphertext, tag: jwe.tag }
  if (jwe.protectedPart !== undefined) out.protected = jwe.protectedPart
  if (jwe.sharedUnprotectedHeader) out.unprotected = jwe.sharedUnprotectedHeader
  if (recipient.header) out.header = recipient.header
  if (recipient.encryptedKey !== '') out.encrypted_key = recipient.encryptedKey
  if (jwe.aad !== undefined) out.aad = jwe.aad
  return out
}

/** RFC 7516 §7.2.1, leaving out the members that are empty or absent. */
export function toGeneral(jwe: EncryptedJWE): GeneralJWE {
  const out: GeneralJWE = {
    recipients: jwe.recipients.map(({ header, encryptedKey }) => {
      const entry: GeneralJWE['recipients'][number] = {}
      if (header) entry.header = header
      if (encryptedKey !== '') entry.encrypted_key = encryptedKey
      return entry
    }),
    iv: jwe.iv,
    ciphertext: jwe.ciphertext,
    tag: jwe.tag,
  }
  if (jwe.protectedPart !== undefined) out.protected = jwe.protectedPart
  if (jwe.sharedUnprotectedHeader) out.unprotected = jwe.sharedUnprotectedHeader
  if (jwe.aad !== undefined) out.aad = jwe.aad
  return out
}
