/**
 * AES-GCM (RFC 7518 §5.3, §4.7): a 96-bit IV and a 128-bit tag, exactly, for content and for key
 * wrap; key lengths that match the algorithm exactly for `dir` and for the key-wrap algorithms; and a
 * wrapped CEK of the wrong length fails like any other forgery (uniformly, no distinct error).
 */
import { Buffer } from 'node:buffer'
import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { compactDecrypt, compactEncrypt, generateSecret, importSecret } from '../../../src/index.js'
import { aesKeyWrap } from '../../../src/lib/backend/encryption.js'
import { rebuildJWE, splitJWE } from '../../helpers/jwe-forge.js'
import { ALLOW_ALL } from '../../helpers/jwe-keys.js'

const INVALID = { code: 'ERR_JWE_INVALID' }

describe.each(['A128GCM', 'A192GCM', 'A256GCM'])('%s content encryption', (enc) => {
  const options = { keyManagementAlgorithms: ['dir'], contentEncryptionAlgorithms: [enc] }

  it('decrypts the untouched token (control)', async () => {
    const key = await generateSecret(enc)
    const jwe = await compactEncrypt('gcm', key, { alg: 'dir', enc })
    expect(Buffer.from(splitJWE(jwe).iv, 'base64url')).toHaveLength(12)
    expect(Buffer.from(splitJWE(jwe).tag, 'base64url')).toHaveLength(16)
    expect(Buffer.from((await compactDecrypt(jwe, key, options)).plaintext).toString()).toBe('gcm')
  })

  it.each([0, 8, 11, 13, 16])('refuses a %i-byte IV', async (length) => {
    const key = await generateSecret(enc)
    const jwe = await compactEncrypt('gcm', key, { alg: 'dir', enc })
    await expect(
      compactDecrypt(rebuildJWE(jwe, { iv: Buffer.alloc(length, 1).toString('base64url') }), key, options),
    ).rejects.toMatchObject(INVALID)
  })

  it.each([0, 4, 12, 15, 17])('refuses a %i-byte tag', async (length) => {
    const key = await generateSecret(enc)
    const jwe = await compactEncrypt('gcm', key, { alg: 'dir', enc })
    const tag = Buffer.from(splitJWE(jwe).tag, 'base64url')
    const bad = length <= 16 ? tag.subarray(0, length) : Buffer.concat([tag, Buffer.alloc(length - 16)])
    await expect(
      compactDecrypt(rebuildJWE(jwe, { tag: bad.toString('base64url') }), key, options),
    ).rejects.toMatchObject(INVALID)
  })
})

describe('AES-GCM key wrap header parameters', () => {
  it.each([
    ['iv', 8],
    ['iv', 16],
    ['tag', 12],
    ['tag', 17],
  ])('refuses a %s of %i bytes, and a missing one', async (name, length) => {
    const key = await generateSecret('A128GCMKW')
    const jwe = await compactEncrypt('x', key, { alg: 'A128GCMKW', enc: 'A128GCM' })
    const header = splitJWE(jwe).header
    const bad = rebuildJWE(jwe, { header: { ...header, [name]: Buffer.alloc(length).toString('base64url') } })
    await expect(compactDecrypt(bad, key, ALLOW_ALL)).rejects.toMatchObject(INVALID)
    const { [name]: _, ...without } = header
    await expect(compactDecrypt(rebuildJWE(jwe, { header: without }), key, ALLOW_ALL)).rejects.toMatchObject(
      INVALID,
    )
  })
})

describe('key lengths', () => {
  it('dir: refuses a key that is not exactly the CEK length of enc, on encrypt and decrypt', async () => {
    const long = randomBytes(32)
    await expect(compactEncrypt('x', long, { alg: 'dir', enc: 'A128GCM' })).rejects.toMatchObject({
      code: 'ERR_KEY_ALG_MISMATCH',
    })
    const key = randomBytes(16)
    const jwe = await compactEncrypt('x', key, { alg: 'dir', enc: 'A128GCM' })
    // The attacker switches enc to one that needs a longer CEK than the recipient's key.
    const switched = rebuildJWE(jwe, { header: { alg: 'dir', enc: 'A256GCM' } })
    await expect(compactDecrypt(switched, key, ALLOW_ALL)).rejects.toMatchObject({
      code: 'ERR_KEY_ALG_MISMATCH',
    })
    await expect(compactDecrypt(jwe, randomBytes(24), ALLOW_ALL)).rejects.toMatchObject({
      code: 'ERR_KEY_ALG_MISMATCH',
    })
  })

  it.each([
    ['A128KW', 24],
    ['A192KW', 16],
    ['A256KW', 16],
    ['A128GCMKW', 32],
    ['A256GCMKW', 24],
  ])('%s: refuses a %i-byte key, on encrypt, decrypt and import', async (alg, length) => {
    const wrong = randomBytes(length)
    await expect(compactEncrypt('x', wrong, { alg, enc: 'A128GCM' })).rejects.toMatchObject({
      code: 'ERR_KEY_ALG_MISMATCH',
    })
    const right = await generateSecret(alg)
    const jwe = await compactEncrypt('x', right, { alg, enc: 'A128GCM' })
    await expect(compactDecrypt(jwe, wrong, ALLOW_ALL)).rejects.toMatchObject({
      code: 'ERR_KEY_ALG_MISMATCH',
    })
    expect(() => importSecret(wrong, alg)).toThrow(expect.objectContaining({ code: 'ERR_KEY_ALG_MISMATCH' }))
  })

  it('a wrapped CEK of the wrong length for enc fails as a forgery, with the uniform error', async () => {
    const kek = randomBytes(16)
    const jwe = await compactEncrypt('x', kek, { alg: 'A128KW', enc: 'A256GCM' })
    // A 16-byte CEK correctly wrapped under the recipient's key, for an enc that needs 32 bytes.
    const shortCek = aesKeyWrap(kek, randomBytes(16)).toString('base64url')
    await expect(
      compactDecrypt(rebuildJWE(jwe, { encryptedKey: shortCek }), kek, ALLOW_ALL),
    ).rejects.toMatchObject({
      code: 'ERR_JWE_DECRYPTION_FAILED',
      message: 'decryption failed',
    })
  })
})
