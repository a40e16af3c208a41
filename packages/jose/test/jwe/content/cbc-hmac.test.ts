/**
 * AES-CBC-HMAC-SHA2 (RFC 7518 §5.2): the full-length tag is compared in constant time BEFORE any CBC
 * decryption runs, so no padding error is ever observable for a forged ciphertext (no padding oracle);
 * truncated tags are refused; AL, the AAD length in bits, is a 64-bit big-endian count computed
 * without overflow.
 */
import { Buffer } from 'node:buffer'
import { beforeEach, describe, expect, it, vi } from 'vitest'

vi.mock(import('../../../src/lib/backend/encryption.js'), async (importOriginal) => {
  const original = await importOriginal()
  return {
    ...original,
    aesCbcDecrypt: vi.fn(original.aesCbcDecrypt),
    constantTimeEqual: vi.fn(original.constantTimeEqual),
  }
})

const { compactDecrypt, compactEncrypt, generateSecret } = await import('../../../src/index.js')
const backend = await import('../../../src/lib/backend/encryption.js')
const { aadLengthBlock } = await import('../../../src/jwe/internal/content/cbc-hmac.js')
const { flipFirstBit, rebuildJWE, splitJWE } = await import('../../helpers/jwe-forge.js')

const ENCS = [
  ['A128CBC-HS256', 16],
  ['A192CBC-HS384', 24],
  ['A256CBC-HS512', 32],
] as const
const FAILED = { code: 'ERR_JWE_DECRYPTION_FAILED', message: 'decryption failed' }

beforeEach(() => {
  vi.mocked(backend.aesCbcDecrypt).mockClear()
  vi.mocked(backend.constantTimeEqual).mockClear()
})

describe.each(ENCS)('%s', (enc, tagBytes) => {
  const options = { keyManagementAlgorithms: ['dir'], contentEncryptionAlgorithms: [enc] }

  it('decrypts the untouched token, comparing the tag in constant time first (control)', async () => {
    const key = await generateSecret(enc)
    const jwe = await compactEncrypt('cbc', key, { alg: 'dir', enc })
    expect(Buffer.from(splitJWE(jwe).tag, 'base64url')).toHaveLength(tagBytes)
    expect(Buffer.from((await compactDecrypt(jwe, key, options)).plaintext).toString()).toBe('cbc')
    expect(backend.constantTimeEqual).toHaveBeenCalledTimes(1)
    expect(backend.aesCbcDecrypt).toHaveBeenCalledTimes(1)
    expect(vi.mocked(backend.constantTimeEqual).mock.invocationCallOrder[0]).toBeLessThan(
      vi.mocked(backend.aesCbcDecrypt).mock.invocationCallOrder[0] as number,
    )
  })

  it('never runs CBC decryption for a wrong tag, a changed ciphertext or a changed IV', async () => {
    const key = await generateSecret(enc)
    const jwe = await compactEncrypt('cbc', key, { alg: 'dir', enc })
    const { tag, ciphertext, iv } = splitJWE(jwe)
    for (const change of [
      { tag: flipFirstBit(tag) },
      { ciphertext: flipFirstBit(ciphertext) },
      { iv: flipFirstBit(iv) },
    ]) {
      await expect(compactDecrypt(rebuildJWE(jwe, change), key, options)).rejects.toMatchObject(FAILED)
    }
    // Changing the last ciphertext block would break the padding: still only the MAC is consulted.
    const bytes = Buffer.from(ciphertext, 'base64url')
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 0xff
    await expect(
      compactDecrypt(rebuildJWE(jwe, { ciphertext: bytes.toString('base64url') }), key, options),
    ).rejects.toMatchObject(FAILED)
    expect(backend.aesCbcDecrypt).not.toHaveBeenCalled()
  })

  it('refuses truncated and extended tags (ERR_JWE_INVALID) before computing anything', async () => {
    const key = await generateSecret(enc)
    const jwe = await compactEncrypt('cbc', key, { alg: 'dir', enc })
    const tag = Buffer.from(splitJWE(jwe).tag, 'base64url')
    for (const bad of [
      tag.subarray(0, tagBytes - 1),
      tag.subarray(0, 1),
      Buffer.concat([tag, Buffer.alloc(1)]),
      Buffer.alloc(0),
    ]) {
      await expect(
        compactDecrypt(rebuildJWE(jwe, { tag: bad.toString('base64url') }), key, options),
      ).rejects.toMatchObject({
        code: 'ERR_JWE_INVALID',
      })
    }
    expect(backend.constantTimeEqual).not.toHaveBeenCalled()
    expect(backend.aesCbcDecrypt).not.toHaveBeenCalled()
  })

  it('refuses an IV that is not 128 bits (ERR_JWE_INVALID)', async () => {
    const key = await generateSecret(enc)
    const jwe = await compactEncrypt('cbc', key, { alg: 'dir', enc })
    await expect(
      compactDecrypt(rebuildJWE(jwe, { iv: Buffer.alloc(12).toString('base64url') }), key, options),
    ).rejects.toMatchObject({
      code: 'ERR_JWE_INVALID',
    })
  })
})

describe('AL, the AAD length in bits', () => {
  it('is a 64-bit big-endian bit count', () => {
    expect(aadLengthBlock(0).toString('hex')).toBe('0000000000000000')
    // RFC 7518 Appendix B.1: 42 bytes of AAD give AL = 0x150.
    expect(aadLengthBlock(42).toString('hex')).toBe('0000000000000150')
  })

  it('does not overflow at 2^29 bytes (32-bit bit count) or past 2^53 bits', () => {
    expect(aadLengthBlock(2 ** 29).toString('hex')).toBe('0000000100000000')
    expect(aadLengthBlock(2 ** 32 + 1).toString('hex')).toBe('0000000800000008')
    expect(aadLengthBlock(Number.MAX_SAFE_INTEGER).toString('hex')).toBe('00fffffffffffff8')
  })
})
