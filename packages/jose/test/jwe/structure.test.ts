/**
 * Structure: a JWS handed to a JWE function and a JWE handed to a JWS function fail with a clear code;
 * five parts exactly; an encrypted key exactly when the algorithm needs one; strict base64url and
 * JSON; disjoint header sets; size limits; and failures after the key is known are uniform (one code,
 * one message), so they are no oracle.
 */
import { Buffer } from 'node:buffer'
import { describe, expect, it } from 'vitest'
import {
  compactDecrypt,
  compactEncrypt,
  compactSign,
  compactVerify,
  flattenedDecrypt,
  flattenedEncrypt,
  flattenedSign,
  flattenedVerify,
  generalDecrypt,
  generalSign,
  generateKeyPair,
  generateSecret,
  unsafeDecodeJWT,
  verifyJWT,
} from '../../src/index.js'
import { b64, flipFirstBit, rebuildJWE, splitJWE } from '../helpers/jwe-forge.js'
import { ALLOW_ALL } from '../helpers/jwe-keys.js'

const INVALID = { code: 'ERR_JWE_INVALID' }

describe('JWS and JWE are not interchangeable', () => {
  it('a compact JWS given to compactDecrypt fails with ERR_JWE_INVALID naming the JWS', async () => {
    const { privateKey } = await generateKeyPair('ES256')
    const jws = await compactSign('x', privateKey, { alg: 'ES256' })
    await expect(compactDecrypt(jws, privateKey, ALLOW_ALL)).rejects.toMatchObject({
      ...INVALID,
      message: expect.stringMatching(/JWS/),
    })
  })

  it('a compact JWE given to compactVerify and verifyJWT fails with ERR_JWS_INVALID naming the JWE', async () => {
    const secret = await generateSecret('A128KW')
    const jwe = await compactEncrypt('x', secret, { alg: 'A128KW', enc: 'A128GCM' })
    const { publicKey } = await generateKeyPair('ES256')
    const clear = { code: 'ERR_JWS_INVALID', message: expect.stringMatching(/JWE/) }
    await expect(compactVerify(jwe, publicKey, { algorithms: ['ES256'] })).rejects.toMatchObject(clear)
    await expect(verifyJWT(jwe, publicKey, { algorithms: ['ES256'] })).rejects.toMatchObject(clear)
    expect(() => unsafeDecodeJWT(jwe)).toThrow(expect.objectContaining({ code: 'ERR_JWS_INVALID' }))
  })

  it('a flattened JWS given to flattenedDecrypt, and a general JWS to generalDecrypt, fail with ERR_JWE_INVALID', async () => {
    const { privateKey } = await generateKeyPair('ES256')
    const flat = await flattenedSign('x', privateKey, { alg: 'ES256' })
    await expect(flattenedDecrypt(flat as never, privateKey, ALLOW_ALL)).rejects.toMatchObject({
      ...INVALID,
      message: expect.stringMatching(/JWS/),
    })
    const general = await generalSign('x', [{ key: privateKey, protectedHeader: { alg: 'ES256' } }])
    await expect(generalDecrypt(general as never, privateKey, ALLOW_ALL)).rejects.toMatchObject({
      ...INVALID,
      message: expect.stringMatching(/JWS/),
    })
  })

  it('a flattened JWE given to flattenedVerify fails with ERR_JWS_INVALID', async () => {
    const secret = await generateSecret('A128KW')
    const jwe = await flattenedEncrypt('x', secret, { protectedHeader: { alg: 'A128KW', enc: 'A128GCM' } })
    const { publicKey } = await generateKeyPair('ES256')
    await expect(flattenedVerify(jwe as never, publicKey, { algorithms: ['ES256'] })).rejects.toMatchObject({
      code: 'ERR_JWS_INVALID',
    })
  })
})

describe('compact structure', () => {
  it.each([
    ['four parts', (jwe: string) => jwe.split('.').slice(0, 4).join('.')],
    ['six parts', (jwe: string) => `${jwe}.AAAA`],
    ['one part', (jwe: string) => jwe.replaceAll('.', '')],
    ['an empty protected header', (jwe: string) => `.${jwe.split('.').slice(1).join('.')}`],
  ])('refuses %s (ERR_JWE_INVALID)', async (_, mutate) => {
    const secret = await generateSecret('A128KW')
    const jwe = await compactEncrypt('x', secret, { alg: 'A128KW', enc: 'A128GCM' })
    await expect(compactDecrypt(mutate(jwe), secret, ALLOW_ALL)).rejects.toMatchObject(INVALID)
  })

  it('refuses a non-string token', async () => {
    await expect(compactDecrypt(42 as never, 'k', ALLOW_ALL)).rejects.toMatchObject(INVALID)
  })

  it('refuses an encrypted key with dir and ECDH-ES, and none with the key-wrapping algorithms', async () => {
    const dirKey = await generateSecret('A128GCM')
    const dir = await compactEncrypt('x', dirKey, { alg: 'dir', enc: 'A128GCM' })
    await expect(
      compactDecrypt(rebuildJWE(dir, { encryptedKey: 'AAAA' }), dirKey, ALLOW_ALL),
    ).rejects.toMatchObject(INVALID)
    const ec = await generateKeyPair('ECDH-ES')
    const ecdh = await compactEncrypt('x', ec.publicKey, { alg: 'ECDH-ES', enc: 'A128GCM' })
    await expect(
      compactDecrypt(rebuildJWE(ecdh, { encryptedKey: 'AAAA' }), ec.privateKey, ALLOW_ALL),
    ).rejects.toMatchObject(INVALID)
    const kw = await generateSecret('A128KW')
    const wrapped = await compactEncrypt('x', kw, { alg: 'A128KW', enc: 'A128GCM' })
    await expect(
      compactDecrypt(rebuildJWE(wrapped, { encryptedKey: '' }), kw, ALLOW_ALL),
    ).rejects.toMatchObject(INVALID)
    const flat = await flattenedEncrypt('x', kw, { protectedHeader: { alg: 'A128KW', enc: 'A128GCM' } })
    const { encrypted_key: _, ...withoutKey } = flat
    await expect(flattenedDecrypt(withoutKey, kw, ALLOW_ALL)).rejects.toMatchObject(INVALID)
  })

  it('refuses missing or non-string iv, ciphertext and tag members', async () => {
    const kw = await generateSecret('A128KW')
    const flat = await flattenedEncrypt('x', kw, { protectedHeader: { alg: 'A128KW', enc: 'A128GCM' } })
    for (const name of ['iv', 'ciphertext', 'tag'] as const) {
      const { [name]: _, ...without } = flat
      await expect(flattenedDecrypt(without as never, kw, ALLOW_ALL)).rejects.toMatchObject(INVALID)
      await expect(flattenedDecrypt({ ...flat, [name]: 7 } as never, kw, ALLOW_ALL)).rejects.toMatchObject(
        INVALID,
      )
    }
  })

  it('refuses non-strict base64url in any part (ERR_JOSE_INVALID_ENCODING)', async () => {
    const kw = await generateSecret('A128KW')
    const jwe = await compactEncrypt('x', kw, { alg: 'A128KW', enc: 'A128GCM' })
    const { iv, ciphertext, tag, encryptedKey } = splitJWE(jwe)
    for (const change of [
      { iv: `${iv}=` },
      { ciphertext: `${ciphertext} ` },
      { tag: tag.replace(/.$/, '+') },
      { encryptedKey: `${encryptedKey}==` },
    ]) {
      await expect(compactDecrypt(rebuildJWE(jwe, change), kw, ALLOW_ALL)).rejects.toMatchObject({
        code: 'ERR_JOSE_INVALID_ENCODING',
      })
    }
  })

  it('refuses a token longer than maxTokenLength (ERR_JOSE_TOKEN_TOO_LARGE)', async () => {
    const kw = await generateSecret('A128KW')
    const jwe = await compactEncrypt('x'.repeat(1000), kw, { alg: 'A128KW', enc: 'A128GCM' })
    await expect(compactDecrypt(jwe, kw, { ...ALLOW_ALL, maxTokenLength: 500 })).rejects.toMatchObject({
      code: 'ERR_JOSE_TOKEN_TOO_LARGE',
    })
    await expect(
      flattenedDecrypt('{"x":"'.concat('a'.repeat(2000), '"}'), kw, { ...ALLOW_ALL, maxTokenLength: 500 }),
    ).rejects.toMatchObject({
      code: 'ERR_JOSE_TOKEN_TOO_LARGE',
    })
  })
})

describe('headers', () => {
  it('refuses a protected header that is not a JSON object, or has duplicate members', async () => {
    const kw = await generateSecret('A128KW')
    const jwe = await compactEncrypt('x', kw, { alg: 'A128KW', enc: 'A128GCM' })
    const [, ...rest] = jwe.split('.')
    await expect(compactDecrypt([b64('[1]'), ...rest].join('.'), kw, ALLOW_ALL)).rejects.toMatchObject({
      code: 'ERR_JOSE_INVALID_HEADER',
    })
    const duplicate = b64('{"alg":"A128KW","enc":"A128GCM","enc":"A256GCM"}')
    await expect(compactDecrypt([duplicate, ...rest].join('.'), kw, ALLOW_ALL)).rejects.toMatchObject({
      code: 'ERR_JOSE_INVALID_JSON',
    })
  })

  it('refuses a missing or non-string alg or enc (ERR_JOSE_INVALID_HEADER)', async () => {
    const kw = await generateSecret('A128KW')
    const jwe = await compactEncrypt('x', kw, { alg: 'A128KW', enc: 'A128GCM' })
    for (const header of [
      { enc: 'A128GCM' },
      { alg: 'A128KW' },
      { alg: ['A128KW'], enc: 'A128GCM' },
      { alg: 'A128KW', enc: 1 },
    ]) {
      await expect(compactDecrypt(rebuildJWE(jwe, { header }), kw, ALLOW_ALL)).rejects.toMatchObject({
        code: 'ERR_JOSE_INVALID_HEADER',
      })
    }
  })

  it('refuses alg "none" and unknown algorithms as not allowed', async () => {
    const kw = await generateSecret('A128KW')
    const jwe = await compactEncrypt('x', kw, { alg: 'A128KW', enc: 'A128GCM' })
    for (const header of [
      { alg: 'none', enc: 'A128GCM' },
      { alg: 'A128KW', enc: 'none' },
      { alg: 'ECDH-ES+A512KW', enc: 'A128GCM' },
    ]) {
      await expect(compactDecrypt(rebuildJWE(jwe, { header }), kw, ALLOW_ALL)).rejects.toMatchObject({
        code: 'ERR_JOSE_ALG_NOT_ALLOWED',
      })
    }
  })

  it('refuses header names shared by the protected, shared and per-recipient headers (ERR_JOSE_INVALID_HEADER)', async () => {
    const kw = await generateSecret('A128KW')
    const flat = await flattenedEncrypt('x', kw, {
      protectedHeader: { alg: 'A128KW', enc: 'A128GCM' },
      unprotectedHeader: { kid: 'a' },
    })
    const overlap = { code: 'ERR_JOSE_INVALID_HEADER' }
    await expect(
      flattenedDecrypt({ ...flat, header: { kid: 'a', alg: 'A128KW' } }, kw, ALLOW_ALL),
    ).rejects.toMatchObject(overlap)
    await expect(
      flattenedDecrypt({ ...flat, unprotected: { kid: 'b' } }, kw, ALLOW_ALL),
    ).rejects.toMatchObject(overlap)
    await expect(
      flattenedDecrypt({ ...flat, unprotected: { enc: 'A128GCM' } }, kw, ALLOW_ALL),
    ).rejects.toMatchObject(overlap)
    await expect(flattenedDecrypt({ ...flat, header: [] as never }, kw, ALLOW_ALL)).rejects.toMatchObject(
      overlap,
    )
  })

  it('refuses crit naming a parameter the caller did not declare (ERR_JOSE_CRIT_INVALID)', async () => {
    const kw = await generateSecret('A128KW')
    const jwe = await compactEncrypt(
      'x',
      kw,
      { alg: 'A128KW', enc: 'A128GCM', crit: ['exp'], exp: 1 },
      { crit: ['exp'] },
    )
    await expect(compactDecrypt(jwe, kw, ALLOW_ALL)).rejects.toMatchObject({ code: 'ERR_JOSE_CRIT_INVALID' })
    expect((await compactDecrypt(jwe, kw, { ...ALLOW_ALL, crit: ['exp'] })).plaintext).toHaveLength(1)
  })

  it('refuses crit "b64", a JWS-only extension, in a JWE (ERR_JOSE_CRIT_INVALID)', async () => {
    const kw = await generateSecret('A128KW')
    const jwe = await compactEncrypt('x', kw, { alg: 'A128KW', enc: 'A128GCM' })
    const header = { alg: 'A128KW', enc: 'A128GCM', b64: false, crit: ['b64'] }
    await expect(compactDecrypt(rebuildJWE(jwe, { header }), kw, ALLOW_ALL)).rejects.toMatchObject({
      code: 'ERR_JOSE_CRIT_INVALID',
    })
    await expect(compactEncrypt('x', kw, header)).rejects.toMatchObject({ code: 'ERR_JOSE_CRIT_INVALID' })
  })
})

describe('uniform decryption failures', () => {
  it('a wrong key, a changed ciphertext, tag, IV or encrypted key all give one code and one message', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RSA-OAEP-256')
    const other = await generateKeyPair('RSA-OAEP-256')
    const jwe = await compactEncrypt('x', publicKey, { alg: 'RSA-OAEP-256', enc: 'A256CBC-HS512' })
    const { encryptedKey, iv, ciphertext, tag } = splitJWE(jwe)
    const attempts = [
      compactDecrypt(jwe, other.privateKey, ALLOW_ALL),
      compactDecrypt(rebuildJWE(jwe, { ciphertext: flipFirstBit(ciphertext) }), privateKey, ALLOW_ALL),
      compactDecrypt(rebuildJWE(jwe, { tag: flipFirstBit(tag) }), privateKey, ALLOW_ALL),
      compactDecrypt(rebuildJWE(jwe, { iv: flipFirstBit(iv) }), privateKey, ALLOW_ALL),
      compactDecrypt(rebuildJWE(jwe, { encryptedKey: flipFirstBit(encryptedKey) }), privateKey, ALLOW_ALL),
      compactDecrypt(
        rebuildJWE(jwe, { encryptedKey: Buffer.alloc(10).toString('base64url') }),
        privateKey,
        ALLOW_ALL,
      ),
    ]
    const errors = await Promise.all(
      attempts.map((attempt) =>
        attempt.then(
          () => null,
          (error: unknown) => error,
        ),
      ),
    )
    for (const error of errors) {
      expect(error).toMatchObject({ code: 'ERR_JWE_DECRYPTION_FAILED', message: 'decryption failed' })
      expect((error as Error).cause).toBeUndefined()
    }
  })
})
