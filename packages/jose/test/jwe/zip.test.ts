/**
 * `zip: "DEF"`: a zip bomb (a few hundred KB that inflate to hundreds of MB) is refused with
 * ERR_JWE_DECOMPRESSION_LIMIT while inflating — without ever allocating its inflated size — and `zip`
 * outside the protected header, an unknown `zip` and invalid DEFLATE data are ERR_JWE_ZIP_INVALID.
 */
import { Buffer } from 'node:buffer'
import { randomBytes } from 'node:crypto'
import { constants, deflateRawSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import {
  compactDecrypt,
  compactEncrypt,
  flattenedDecrypt,
  flattenedEncrypt,
  generalDecrypt,
  generalEncrypt,
} from '../../src/index.js'
import { getContentEncryptionAlgorithm } from '../../src/jwa/content-encryption-algorithms.js'
import { encryptContent } from '../../src/jwe/internal/content/encryption.js'
import { b64 } from '../helpers/jwe-forge.js'

const OPTIONS = { keyManagementAlgorithms: ['dir', 'A128KW'], contentEncryptionAlgorithms: ['A128GCM'] }

/** A compact dir/A128GCM JWE whose plaintext is `compressed` as given, sealed by a legitimate sender. */
function sealCompressed(
  key: Uint8Array,
  compressed: Uint8Array,
  header: Record<string, unknown> = { alg: 'dir', enc: 'A128GCM', zip: 'DEF' },
) {
  const protectedPart = b64(JSON.stringify(header))
  const enc = getContentEncryptionAlgorithm('A128GCM')
  if (!enc) throw new Error('A128GCM')
  const sealed = encryptContent(enc, key, compressed, Buffer.from(protectedPart, 'ascii'))
  return [protectedPart, '', b64(sealed.iv), b64(sealed.ciphertext), b64(sealed.tag)].join('.')
}

/** ~600 KB of DEFLATE that inflates to 600 MiB: sixty 10 MiB runs of zeros, then an empty final block. */
function zipBomb(): Buffer {
  const run = deflateRawSync(Buffer.alloc(10 * 1024 * 1024), { finishFlush: constants.Z_SYNC_FLUSH })
  return Buffer.concat([...Array.from({ length: 60 }, () => run), Buffer.from([0x03, 0x00])])
}

describe('zip bombs', () => {
  it('refuses a bomb while inflating: fast, and without allocating the inflated size', async () => {
    const key = randomBytes(16)
    const bomb = zipBomb()
    expect(bomb.length).toBeLessThan(1024 * 1024)
    const jwe = sealCompressed(key, bomb)
    const before = process.memoryUsage().rss
    const started = performance.now()
    await expect(
      compactDecrypt(jwe, key, { ...OPTIONS, maxTokenLength: 2 * 1024 * 1024 }),
    ).rejects.toMatchObject({
      code: 'ERR_JWE_DECOMPRESSION_LIMIT',
    })
    // Inflating 600 MiB takes seconds and 600 MiB of memory; stopping at the 256 KiB limit takes neither.
    expect(performance.now() - started).toBeLessThan(2000)
    expect(process.memoryUsage().rss - before).toBeLessThan(100 * 1024 * 1024)
  })

  it('applies the default limit of 256 KiB exactly, and a configured one', async () => {
    const key = randomBytes(16)
    const atLimit = await compactEncrypt(Buffer.alloc(256 * 1024, 0x61), key, {
      alg: 'dir',
      enc: 'A128GCM',
      zip: 'DEF',
    })
    expect((await compactDecrypt(atLimit, key, OPTIONS)).plaintext).toHaveLength(256 * 1024)
    const over = await compactEncrypt(Buffer.alloc(256 * 1024 + 1, 0x61), key, {
      alg: 'dir',
      enc: 'A128GCM',
      zip: 'DEF',
    })
    await expect(compactDecrypt(over, key, OPTIONS)).rejects.toMatchObject({
      code: 'ERR_JWE_DECOMPRESSION_LIMIT',
    })
    expect(
      (await compactDecrypt(over, key, { ...OPTIONS, maxDecompressedLength: 512 * 1024 })).plaintext,
    ).toHaveLength(256 * 1024 + 1)
    await expect(
      compactDecrypt(atLimit, key, { ...OPTIONS, maxDecompressedLength: 1024 }),
    ).rejects.toMatchObject({
      code: 'ERR_JWE_DECOMPRESSION_LIMIT',
    })
  })

  it('compresses on encrypt (control: a repetitive plaintext shrinks)', async () => {
    const key = randomBytes(16)
    const jwe = await compactEncrypt('a'.repeat(10_000), key, { alg: 'dir', enc: 'A128GCM', zip: 'DEF' })
    expect(jwe.length).toBeLessThan(1000)
    expect(Buffer.from((await compactDecrypt(jwe, key, OPTIONS)).plaintext).toString()).toBe(
      'a'.repeat(10_000),
    )
  })
})

describe('zip placement and value', () => {
  it('refuses zip in the shared unprotected header', async () => {
    const key = randomBytes(16)
    const jwe = await flattenedEncrypt('x', key, { protectedHeader: { alg: 'A128KW', enc: 'A128GCM' } })
    await expect(
      flattenedDecrypt({ ...jwe, unprotected: { zip: 'DEF' } }, key, OPTIONS),
    ).rejects.toMatchObject({
      code: 'ERR_JWE_ZIP_INVALID',
    })
  })

  it('refuses zip in a per-recipient header', async () => {
    const key = randomBytes(16)
    const jwe = await generalEncrypt('x', [{ key }], { protectedHeader: { alg: 'A128KW', enc: 'A128GCM' } })
    const recipient = { ...jwe.recipients[0], header: { zip: 'DEF' } }
    await expect(generalDecrypt({ ...jwe, recipients: [recipient] }, key, OPTIONS)).rejects.toMatchObject({
      code: 'ERR_JWE_ZIP_INVALID',
    })
  })

  it.each(['GZIP', 'def', '', 'DEFLATE'])('refuses zip %j', async (zip) => {
    const key = randomBytes(16)
    const jwe = sealCompressed(key, deflateRawSync('x'), { alg: 'dir', enc: 'A128GCM', zip })
    await expect(compactDecrypt(jwe, key, OPTIONS)).rejects.toMatchObject({ code: 'ERR_JWE_ZIP_INVALID' })
  })

  it('refuses authenticated content that is not DEFLATE data', async () => {
    const key = randomBytes(16)
    const jwe = sealCompressed(key, Buffer.from([0xff, 0xff, 0xff, 0xff]))
    await expect(compactDecrypt(jwe, key, OPTIONS)).rejects.toMatchObject({ code: 'ERR_JWE_ZIP_INVALID' })
  })

  it('refuses zip outside the protected header, or not "DEF", on encrypt (TypeError)', async () => {
    const key = randomBytes(16)
    await expect(
      flattenedEncrypt('x', key, {
        protectedHeader: { alg: 'A128KW', enc: 'A128GCM' },
        sharedUnprotectedHeader: { zip: 'DEF' },
      }),
    ).rejects.toThrow(/"zip"/)
    await expect(compactEncrypt('x', key, { alg: 'A128KW', enc: 'A128GCM', zip: 'GZIP' })).rejects.toThrow(
      /"zip"/,
    )
  })
})
