/** Builds hostile compact JWEs by editing the parts of a real one, as an attacker would. */
import { Buffer } from 'node:buffer'

export const b64 = (value: string | Uint8Array) =>
  (typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value)).toString('base64url')

export interface CompactParts {
  header: Record<string, unknown>
  encryptedKey: string
  iv: string
  ciphertext: string
  tag: string
}

export function splitJWE(jwe: string): CompactParts {
  const [header, encryptedKey, iv, ciphertext, tag] = jwe.split('.') as [
    string,
    string,
    string,
    string,
    string,
  ]
  return {
    header: JSON.parse(Buffer.from(header, 'base64url').toString('utf8')),
    encryptedKey,
    iv,
    ciphertext,
    tag,
  }
}

/** Re-assembles a compact JWE with some parts replaced (the header is re-encoded as given). */
export function rebuildJWE(jwe: string, changes: Partial<CompactParts>): string {
  const parts = { ...splitJWE(jwe), ...changes }
  return [b64(JSON.stringify(parts.header)), parts.encryptedKey, parts.iv, parts.ciphertext, parts.tag].join(
    '.',
  )
}

/** A base64url string with its first byte's lowest bit flipped. */
export function flipFirstBit(value: string): string {
  const bytes = Buffer.from(value, 'base64url')
  bytes[0] = (bytes[0] as number) ^ 1
  return bytes.toString('base64url')
}
