/**
 * generalEncrypt / generalDecrypt: several recipients with their own keys and headers, shared headers,
 * AAD, which recipient decrypted, and the limits on recipients.
 */
import { Buffer } from 'node:buffer'
import { describe, expect, it } from 'vitest'
import {
  type GeneralJWE,
  generalDecrypt,
  generalEncrypt,
  generateKeyPair,
  generateSecret,
} from '../../src/index.js'
import { ALLOW_ALL } from '../helpers/jwe-keys.js'

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8')

describe('generalEncrypt → generalDecrypt', () => {
  it('encrypts once for RSA-OAEP, ECDH-ES+KW, AES-GCM-KW and PBES2 recipients; each decrypts', async () => {
    const rsa = await generateKeyPair('RSA-OAEP-512')
    const x448 = await generateKeyPair('ECDH-ES+A256KW', { crv: 'X448' })
    const gcmkw = await generateSecret('A256GCMKW')
    const jwe = await generalEncrypt(
      'for several eyes',
      [
        { key: rsa.publicKey, unprotectedHeader: { alg: 'RSA-OAEP-512', kid: 'rsa' } },
        { key: x448.publicKey, unprotectedHeader: { alg: 'ECDH-ES+A256KW', kid: 'x448' } },
        { key: gcmkw, unprotectedHeader: { alg: 'A256GCMKW', kid: 'oct' } },
        { key: 'pw', unprotectedHeader: { alg: 'PBES2-HS512+A256KW', kid: 'pw' } },
      ],
      {
        protectedHeader: { enc: 'A256CBC-HS512' },
        sharedUnprotectedHeader: { cty: 'text/plain' },
        additionalAuthenticatedData: 'ad',
      },
      { p2c: 1000 },
    )
    expect(jwe.recipients).toHaveLength(4)
    expect(jwe.recipients[1]?.header?.epk).toMatchObject({ crv: 'X448' })
    expect(jwe.recipients[2]?.header).toMatchObject({ iv: expect.any(String), tag: expect.any(String) })
    expect(jwe.recipients[3]?.header).toMatchObject({ p2c: 1000 })
    const keys = [rsa.privateKey, x448.privateKey, gcmkw, 'pw']
    for (const [index, key] of keys.entries()) {
      const result = await generalDecrypt(jwe, key, ALLOW_ALL)
      expect(result.recipientIndex).toBe(index)
      expect(text(result.plaintext)).toBe('for several eyes')
      expect(result.sharedUnprotectedHeader).toEqual({ cty: 'text/plain' })
      expect(result.unprotectedHeader?.kid).toBe(['rsa', 'x448', 'oct', 'pw'][index])
    }
  })

  it('passes the joined header of each recipient to the resolver', async () => {
    const a = await generateSecret('A128KW')
    const b = await generateSecret('A128KW')
    const jwe = await generalEncrypt(
      'x',
      [
        { key: a, unprotectedHeader: { kid: 'a' } },
        { key: b, unprotectedHeader: { kid: 'b' } },
      ],
      { protectedHeader: { alg: 'A128KW', enc: 'A128GCM' } },
    )
    const result = await generalDecrypt(jwe, (header) => (header.kid === 'b' ? b : a), ALLOW_ALL)
    expect(result.recipientIndex).toBe(0)
    const onlyB = await generalDecrypt(jwe, b, ALLOW_ALL)
    expect(onlyB.recipientIndex).toBe(1)
  })

  it('fails with ERR_JWE_DECRYPTION_FAILED when no recipient decrypts', async () => {
    const jwe = await generalEncrypt(
      'x',
      [{ key: await generateSecret('A128KW') }, { key: await generateSecret('A128KW') }],
      {
        protectedHeader: { alg: 'A128KW', enc: 'A128GCM' },
      },
    )
    await expect(generalDecrypt(jwe, await generateSecret('A128KW'), ALLOW_ALL)).rejects.toMatchObject({
      code: 'ERR_JWE_DECRYPTION_FAILED',
      message: 'decryption failed',
    })
  })

  it('refuses more recipients than maxRecipients (ERR_JWE_INVALID), default 10', async () => {
    const secret = await generateSecret('A128KW')
    const jwe = await generalEncrypt(
      'x',
      Array.from({ length: 11 }, () => ({ key: secret })),
      {
        protectedHeader: { alg: 'A128KW', enc: 'A128GCM' },
      },
    )
    await expect(generalDecrypt(jwe, secret, ALLOW_ALL)).rejects.toMatchObject({ code: 'ERR_JWE_INVALID' })
    expect((await generalDecrypt(jwe, secret, { ...ALLOW_ALL, maxRecipients: 11 })).recipientIndex).toBe(0)
    await expect(generalDecrypt(jwe, secret, { ...ALLOW_ALL, maxRecipients: 0 })).rejects.toThrow(
      /"maxRecipients"/,
    )
  })

  it('refuses an empty or missing recipients list (ERR_JWE_INVALID)', async () => {
    const base = { iv: 'AAAAAAAAAAAAAAAA', ciphertext: 'AA', tag: 'AAAAAAAAAAAAAAAAAAAAAA' }
    await expect(generalDecrypt({ ...base, recipients: [] }, 'k', ALLOW_ALL)).rejects.toMatchObject({
      code: 'ERR_JWE_INVALID',
    })
    await expect(generalDecrypt(base as GeneralJWE, 'k', ALLOW_ALL)).rejects.toMatchObject({
      code: 'ERR_JWE_INVALID',
    })
  })

  it('allows dir and ECDH-ES only as the single recipient (TypeError)', async () => {
    const { publicKey } = await generateKeyPair('ECDH-ES')
    const secret = await generateSecret('A128KW')
    await expect(
      generalEncrypt(
        'x',
        [
          { key: publicKey, unprotectedHeader: { alg: 'ECDH-ES' } },
          { key: secret, unprotectedHeader: { alg: 'A128KW' } },
        ],
        {
          protectedHeader: { enc: 'A128GCM' },
        },
      ),
    ).rejects.toThrow(/one recipient/)
  })

  it('requires one enc for all recipients, and disjoint header names (ERR_JOSE_INVALID_HEADER)', async () => {
    const secret = await generateSecret('A128KW')
    await expect(
      generalEncrypt(
        'x',
        [
          { key: secret, unprotectedHeader: { alg: 'A128KW', enc: 'A128GCM' } },
          { key: secret, unprotectedHeader: { alg: 'A128KW', enc: 'A256GCM' } },
        ],
        {},
      ),
    ).rejects.toThrow(/"enc"/)
    await expect(
      generalEncrypt('x', [{ key: secret, unprotectedHeader: { alg: 'A128KW', kid: 'a' } }], {
        protectedHeader: { enc: 'A128GCM' },
        sharedUnprotectedHeader: { kid: 'b' },
      }),
    ).rejects.toMatchObject({ code: 'ERR_JOSE_INVALID_HEADER' })
    await expect(
      generalEncrypt('x', [], { protectedHeader: { alg: 'A128KW', enc: 'A128GCM' } }),
    ).rejects.toThrow(/"recipients"/)
  })
})
