/**
 * compactEncrypt / compactDecrypt: a round trip for every alg × enc pair (and every ECDH-ES curve),
 * the header the recipient sees, key resolvers, allowlists and option validation.
 */
import { Buffer } from 'node:buffer'
import { describe, expect, it } from 'vitest'
import {
  compactDecrypt,
  compactEncrypt,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  generateSecret,
  importJWK,
} from '../../src/index.js'
import { ALL_ALGS, ALL_ENCS, ALLOW_ALL, ECDH_CURVES, FAST, keysFor } from '../helpers/jwe-keys.js'

const PLAINTEXT = 'Trust us to keep any secret of yours – closer than you keep it yourself. 🔐'
const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8')

describe('compactEncrypt → compactDecrypt for every alg and enc', () => {
  for (const alg of ALL_ALGS) {
    it.each(ALL_ENCS)(`${alg} with %s`, async (enc) => {
      const { encryptKey, decryptKey } = await keysFor(alg, enc)
      const jwe = await compactEncrypt(PLAINTEXT, encryptKey, { alg, enc, kid: 'k1' }, FAST)
      const parts = jwe.split('.')
      expect(parts).toHaveLength(5)
      expect(parts[1] === '').toBe(alg === 'dir' || alg === 'ECDH-ES')
      const { plaintext, protectedHeader, key } = await compactDecrypt(jwe, decryptKey, {
        keyManagementAlgorithms: [alg],
        contentEncryptionAlgorithms: [enc],
      })
      expect(text(plaintext)).toBe(PLAINTEXT)
      expect(protectedHeader).toMatchObject({ alg, enc, kid: 'k1' })
      expect(typeof decryptKey === 'string' ? key.kty : key).toBe(
        typeof decryptKey === 'string' ? 'oct' : decryptKey,
      )
    })
  }
})

describe('ECDH-ES on every curve', () => {
  for (const alg of ['ECDH-ES', 'ECDH-ES+A128KW', 'ECDH-ES+A192KW', 'ECDH-ES+A256KW']) {
    it.each(ECDH_CURVES)(`${alg} on %s`, async (crv) => {
      const { encryptKey, decryptKey } = await keysFor(alg, 'A256GCM', crv)
      const jwe = await compactEncrypt(PLAINTEXT, encryptKey, {
        alg,
        enc: 'A256GCM',
        apu: 'QWxpY2U',
        apv: 'Qm9i',
      })
      const header = decodeProtectedHeader(jwe) as { epk: Record<string, unknown> }
      expect(header.epk.crv).toBe(crv)
      expect(header.epk.d).toBeUndefined()
      const { plaintext } = await compactDecrypt(jwe, decryptKey, ALLOW_ALL)
      expect(text(plaintext)).toBe(PLAINTEXT)
      // apu/apv are bound into the derived key: changing them changes the key, and decryption fails.
      const [head, ...rest] = jwe.split('.')
      const changed = { ...JSON.parse(Buffer.from(head as string, 'base64url').toString()), apv: 'RXZl' }
      const forged = [Buffer.from(JSON.stringify(changed)).toString('base64url'), ...rest].join('.')
      await expect(compactDecrypt(forged, decryptKey, ALLOW_ALL)).rejects.toMatchObject({
        code: 'ERR_JWE_DECRYPTION_FAILED',
      })
    })
  }
})

describe('compactDecrypt', () => {
  it('accepts a resolver, which sees the protected header and the token', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RSA-OAEP-256')
    const jwe = await compactEncrypt('hi', publicKey, { alg: 'RSA-OAEP-256', enc: 'A128GCM', kid: 'app-1' })
    const seen: unknown[] = []
    const result = await compactDecrypt(
      jwe,
      async (header, token) => {
        seen.push(header.kid, token)
        return privateKey
      },
      { keyManagementAlgorithms: ['RSA-OAEP-256'], contentEncryptionAlgorithms: ['A128GCM'] },
    )
    expect(text(result.plaintext)).toBe('hi')
    expect(seen).toEqual(['app-1', jwe])
  })

  it('refuses a resolver that returns nothing with ERR_JOSE_KEY_RESOLUTION_FAILED', async () => {
    const secret = await generateSecret('A128KW')
    const jwe = await compactEncrypt('hi', secret, { alg: 'A128KW', enc: 'A128GCM' })
    await expect(compactDecrypt(jwe, () => undefined as never, ALLOW_ALL)).rejects.toMatchObject({
      code: 'ERR_JOSE_KEY_RESOLUTION_FAILED',
    })
  })

  it('refuses algorithms outside the allowlists with ERR_JOSE_ALG_NOT_ALLOWED', async () => {
    const secret = await generateSecret('A128KW')
    const jwe = await compactEncrypt('hi', secret, { alg: 'A128KW', enc: 'A128GCM' })
    await expect(
      compactDecrypt(jwe, secret, {
        keyManagementAlgorithms: ['A256KW'],
        contentEncryptionAlgorithms: ['A128GCM'],
      }),
    ).rejects.toMatchObject({ code: 'ERR_JOSE_ALG_NOT_ALLOWED' })
    await expect(
      compactDecrypt(jwe, secret, {
        keyManagementAlgorithms: ['A128KW'],
        contentEncryptionAlgorithms: ['A256GCM'],
      }),
    ).rejects.toMatchObject({ code: 'ERR_JOSE_ALG_NOT_ALLOWED' })
  })

  it('requires both allowlists, non-empty, of known names (TypeError naming the option)', async () => {
    const secret = await generateSecret('A128KW')
    const jwe = await compactEncrypt('hi', secret, { alg: 'A128KW', enc: 'A128GCM' })
    await expect(compactDecrypt(jwe, secret, undefined as never)).rejects.toThrow(TypeError)
    await expect(
      compactDecrypt(jwe, secret, { contentEncryptionAlgorithms: ['A128GCM'] } as never),
    ).rejects.toThrow(/"keyManagementAlgorithms"/)
    await expect(
      compactDecrypt(jwe, secret, { keyManagementAlgorithms: ['A128KW'] } as never),
    ).rejects.toThrow(/"contentEncryptionAlgorithms"/)
    await expect(
      compactDecrypt(jwe, secret, { keyManagementAlgorithms: [], contentEncryptionAlgorithms: ['A128GCM'] }),
    ).rejects.toThrow(/"keyManagementAlgorithms"/)
    await expect(
      compactDecrypt(jwe, secret, {
        keyManagementAlgorithms: ['none'],
        contentEncryptionAlgorithms: ['A128GCM'],
      }),
    ).rejects.toThrow(/unsupported algorithm "none"/)
    await expect(compactDecrypt(jwe, secret, { ...ALLOW_ALL, maxDecompressedLength: -1 })).rejects.toThrow(
      /"maxDecompressedLength"/,
    )
    await expect(compactDecrypt(jwe, secret, { ...ALLOW_ALL, maxPBES2Count: 999 })).rejects.toThrow(
      /"maxPBES2Count"/,
    )
  })

  it('refuses a private key where the recipient needs to decrypt with a public one (TypeError)', async () => {
    const { publicKey } = await generateKeyPair('ECDH-ES')
    const jwe = await compactEncrypt('hi', publicKey, { alg: 'ECDH-ES', enc: 'A128GCM' })
    await expect(compactDecrypt(jwe, publicKey, ALLOW_ALL)).rejects.toThrow(/"key" must be a private key/)
  })
})

describe('compactEncrypt', () => {
  it('requires alg and enc, and refuses unsupported ones', async () => {
    const secret = await generateSecret('A128KW')
    await expect(compactEncrypt('x', secret, { enc: 'A128GCM' })).rejects.toThrow(/"alg"/)
    await expect(compactEncrypt('x', secret, { alg: 'A128KW' })).rejects.toThrow(/"enc"/)
    await expect(compactEncrypt('x', secret, { alg: 'A128KW', enc: 'A128CTR' })).rejects.toMatchObject({
      code: 'ERR_JOSE_NOT_SUPPORTED',
    })
    await expect(compactEncrypt('x', secret, { alg: 'none', enc: 'A128GCM' })).rejects.toMatchObject({
      code: 'ERR_JOSE_NOT_SUPPORTED',
    })
  })

  it('refuses RSA1_5 with ERR_JWE_RSA1_5_REFUSED and says why', async () => {
    const { publicKey } = await generateKeyPair('RSA-OAEP')
    await expect(
      compactEncrypt('x', publicKey, { alg: 'RSA1_5', enc: 'A128CBC-HS256' }),
    ).rejects.toMatchObject({
      code: 'ERR_JWE_RSA1_5_REFUSED',
      message: expect.stringMatching(/Bleichenbacher/),
    })
  })

  it('refuses caller-set epk, p2s, p2c, iv and tag, which the algorithm generates', async () => {
    const secret = await generateSecret('A128GCMKW')
    for (const name of ['epk', 'p2s', 'p2c', 'iv', 'tag']) {
      await expect(
        compactEncrypt('x', secret, { alg: 'A128GCMKW', enc: 'A128GCM', [name]: 'x' }),
      ).rejects.toThrow(new RegExp(`"${name}"`))
    }
  })

  it('adds the generated parameters to the protected header', async () => {
    const secret = await generateSecret('A192GCMKW')
    const jwe = await compactEncrypt('x', secret, { alg: 'A192GCMKW', enc: 'A192CBC-HS384' })
    const header = decodeProtectedHeader(jwe)
    expect(Buffer.from(header.iv as string, 'base64url')).toHaveLength(12)
    expect(Buffer.from(header.tag as string, 'base64url')).toHaveLength(16)
    const pbes2 = await compactEncrypt('x', 'a password', { alg: 'PBES2-HS256+A128KW', enc: 'A128GCM' })
    expect(decodeProtectedHeader(pbes2)).toMatchObject({ p2c: 10000 })
    expect(Buffer.from(decodeProtectedHeader(pbes2).p2s as string, 'base64url')).toHaveLength(16)
  })

  it('validates p2c (TypeError)', async () => {
    for (const p2c of [999, 1000.5, Number.NaN, 1e9]) {
      await expect(
        compactEncrypt('x', 'pw', { alg: 'PBES2-HS256+A128KW', enc: 'A128GCM' }, { p2c }),
      ).rejects.toThrow(/"p2c"/)
    }
  })

  it('encrypts to a key imported from a JWK with use "enc", and refuses a "sig" key', async () => {
    const { publicKey } = await generateKeyPair('ECDH-ES+A128KW', { crv: 'X25519' })
    const jwk = await exportJWK(publicKey)
    const encKey = await importJWK({ ...jwk, use: 'enc' })
    expect(
      (await compactEncrypt('x', encKey, { alg: 'ECDH-ES+A128KW', enc: 'A128GCM' })).split('.'),
    ).toHaveLength(5)
    const sigKey = await importJWK({ ...jwk, use: 'sig' })
    await expect(
      compactEncrypt('x', sigKey, { alg: 'ECDH-ES+A128KW', enc: 'A128GCM' }),
    ).rejects.toMatchObject({
      code: 'ERR_KEY_USAGE_MISMATCH',
    })
    const verifyOnly = await importJWK({ ...jwk, key_ops: ['verify'] })
    await expect(
      compactEncrypt('x', verifyOnly, { alg: 'ECDH-ES+A128KW', enc: 'A128GCM' }),
    ).rejects.toMatchObject({
      code: 'ERR_KEY_USAGE_MISMATCH',
    })
  })

  it('refuses a key bound to another algorithm, or of the wrong type', async () => {
    const { publicKey } = await generateKeyPair('RSA-OAEP')
    await expect(
      compactEncrypt('x', publicKey, { alg: 'RSA-OAEP-256', enc: 'A128GCM' }),
    ).rejects.toMatchObject({
      code: 'ERR_KEY_ALG_MISMATCH',
    })
    const signing = await generateKeyPair('ES256')
    await expect(
      compactEncrypt('x', signing.publicKey, { alg: 'ECDH-ES', enc: 'A128GCM' }),
    ).rejects.toMatchObject({
      code: 'ERR_KEY_ALG_MISMATCH',
    })
  })
})
