import { Buffer } from 'node:buffer'
import { constants, createHmac, type KeyObject, sign } from 'node:crypto'
import type { Key } from '../../src/index.js'

/** JSON text as-is (so tests can write duplicate members), anything else through JSON.stringify. */
export function json(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value)
}

export function b64u(value: string | Uint8Array): string {
  return (typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value)).toString('base64url')
}

const HASHES: Record<string, string> = {
  HS256: 'sha256',
  HS384: 'sha384',
  HS512: 'sha512',
  RS256: 'sha256',
  PS256: 'sha256',
  ES256: 'sha256',
  ES256K: 'sha256',
  ES384: 'sha384',
  ES512: 'sha512',
}

/**
 * Signs `header.payload` the way an attacker would: straight through node:crypto, with none of the
 * library's header or key checks. Header and payload may be raw JSON text.
 */
export function forge(
  header: unknown,
  payload: unknown,
  key: Key | KeyObject | Uint8Array,
  alg?: string,
): string {
  const input = `${b64u(json(header))}.${b64u(json(payload))}`
  return `${input}.${b64u(forgeSignature(input, key, alg ?? (header as { alg: string }).alg))}`
}

export function forgeSignature(input: string, key: Key | KeyObject | Uint8Array, alg: string): Buffer {
  const hash = HASHES[alg]
  if (key instanceof Uint8Array)
    return createHmac(hash ?? 'sha256', key)
      .update(input)
      .digest()
  const handle = 'toKeyObject' in key ? key.toKeyObject() : key
  if (handle.type === 'secret')
    return createHmac(hash ?? 'sha256', handle)
      .update(input)
      .digest()
  if (alg.startsWith('ES'))
    return sign(hash ?? null, Buffer.from(input), { key: handle, dsaEncoding: 'ieee-p1363' })
  if (alg.startsWith('PS')) {
    return sign(hash ?? null, Buffer.from(input), {
      key: handle,
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: 32,
    })
  }
  return sign(hash ?? null, Buffer.from(input), handle)
}

/** Replaces segment `index` of a compact token. */
export function withSegment(token: string, index: number, segment: string): string {
  const parts = token.split('.')
  parts[index] = segment
  return parts.join('.')
}

export function segment(token: string, index: number): string {
  const part = token.split('.')[index]
  if (part === undefined) throw new Error(`no segment ${index}`)
  return part
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

/**
 * The same bytes spelled with non-zero unused trailing bits: Node decodes it to the same value, a strict
 * decoder refuses it. Only possible when the length is not a multiple of 4.
 */
export function nonCanonical(part: string): string {
  if (part.length % 4 === 0) throw new Error('a segment of length 4n has no unused bits')
  const last = ALPHABET.indexOf(part.at(-1) as string)
  // The lowest bit of the last character is unused both when it carries 2 and when it carries 4 data bits.
  const spelled = `${part.slice(0, -1)}${ALPHABET[last | 1]}`
  if (spelled === part) throw new Error('already non-canonical')
  if (Buffer.compare(Buffer.from(spelled, 'base64url'), Buffer.from(part, 'base64url')) !== 0) {
    throw new Error('the spelling changed the bytes')
  }
  return spelled
}

/** A segment that decodes to the same bytes padded with '='. */
export function padded(part: string): string {
  const rest = part.length % 4
  if (rest === 0) throw new Error('this segment needs no padding')
  return part + '='.repeat(4 - rest)
}

/** A segment of length 4n whose bytes survive standard-alphabet spelling with '+' or '/'. */
export function standardAlphabet(part: string): string {
  return part.replace(/-/g, '+').replace(/_/g, '/')
}
