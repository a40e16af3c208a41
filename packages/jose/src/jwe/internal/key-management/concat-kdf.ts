import { Buffer } from 'node:buffer'
import { digest } from '../../../lib/backend/encryption.js'

function uint32(value: number): Buffer {
  const out = Buffer.alloc(4)
  out.writeUInt32BE(value)
  return out
}

function lengthPrefixed(data: Uint8Array): Buffer {
  return Buffer.concat([uint32(data.length), data])
}

/**
 * The Concat KDF of NIST SP 800-56A §5.8.1 with SHA-256, as profiled by RFC 7518 §4.6.2: OtherInfo is
 * AlgorithmID || PartyUInfo || PartyVInfo || SuppPubInfo (keydatalen in bits), each datalen-prefixed
 * except SuppPubInfo, and SuppPrivInfo empty.
 */
export function concatKdf(
  sharedSecret: Uint8Array,
  keyBytes: number,
  algorithmId: string,
  apu: Uint8Array,
  apv: Uint8Array,
): Buffer {
  const otherInfo = Buffer.concat([
    lengthPrefixed(Buffer.from(algorithmId, 'utf8')),
    lengthPrefixed(apu),
    lengthPrefixed(apv),
    uint32(keyBytes * 8),
  ])
  const rounds = Math.ceil(keyBytes / 32)
  const blocks: Buffer[] = []
  for (let counter = 1; counter <= rounds; counter++) {
    blocks.push(digest('sha256', Buffer.concat([uint32(counter), sharedSecret, otherInfo])))
  }
  return Buffer.concat(blocks).subarray(0, keyBytes)
}
