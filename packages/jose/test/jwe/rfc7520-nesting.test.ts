/**
 * RFC 7520 §6, nesting signatures and encryption, loaded at run time from ../shared/vectors/rfc7520:
 * the nested JWT decrypts and its PS256 signature and claims verify; every serialization decrypts to
 * the inner JWS; the content encryption reproduces from the given CEK and IV.
 */
import { Buffer } from 'node:buffer'
import { describe, expect, it } from 'vitest'
import { decryptThenVerifyJWT, flattenedDecrypt, generalDecrypt, importJWKSync } from '../../src/index.js'
import { getContentEncryptionAlgorithm } from '../../src/jwa/content-encryption-algorithms.js'
import { encryptContent } from '../../src/jwe/internal/content/encryption.js'
import { loadNestingVector } from '../helpers/jwe-vectors.js'

const bytes = (b64u: string) => Buffer.from(b64u, 'base64url')
const text = (data: Uint8Array) => Buffer.from(data).toString('utf8')

describe('RFC 7520 §6 nesting signatures and encryption', () => {
  const vector = loadNestingVector()
  const decryptionKey = importJWKSync(vector.encrypt.input.key)
  const verificationKey = importJWKSync(vector.sign.input.key)

  it('decrypts the nested JWT, then verifies the PS256 JWS inside it and its claims', async () => {
    const result = await decryptThenVerifyJWT(
      vector.encrypt.output.compact,
      { key: decryptionKey, keyManagementAlgorithms: ['RSA-OAEP'], contentEncryptionAlgorithms: ['A128GCM'] },
      {
        key: verificationKey,
        algorithms: ['PS256'],
        issuer: 'hobbiton.example',
        currentDate: new Date(1300819370 * 1000),
      },
    )
    expect(result.payload).toEqual(JSON.parse(vector.sign.input.payload))
    expect(result.encryptionHeader.cty).toBe('JWT')
    expect(result.protectedHeader.alg).toBe('PS256')
  })

  it('refuses the same token once the inner JWT has expired', async () => {
    await expect(
      decryptThenVerifyJWT(
        vector.encrypt.output.compact,
        {
          key: decryptionKey,
          keyManagementAlgorithms: ['RSA-OAEP'],
          contentEncryptionAlgorithms: ['A128GCM'],
        },
        { key: verificationKey, algorithms: ['PS256'], currentDate: new Date(1300819390 * 1000) },
      ),
    ).rejects.toMatchObject({ code: 'ERR_JWT_EXPIRED' })
  })

  it('decrypts the flattened and general outputs to the inner JWS, and reproduces the content encryption', async () => {
    const options = { keyManagementAlgorithms: ['RSA-OAEP'], contentEncryptionAlgorithms: ['A128GCM'] }
    const flat = await flattenedDecrypt(vector.encrypt.output.json_flat, decryptionKey, options)
    expect(text(flat.plaintext)).toBe(vector.sign.output.compact)
    const general = await generalDecrypt(vector.encrypt.output.json, decryptionKey, options)
    expect(text(general.plaintext)).toBe(vector.sign.output.compact)
    const enc = getContentEncryptionAlgorithm('A128GCM')
    if (!enc) throw new Error('A128GCM')
    const sealed = encryptContent(
      enc,
      bytes(vector.encrypt.generated.cek),
      Buffer.from(vector.encrypt.input.plaintext),
      Buffer.from(vector.encrypt.encrypting_content.protected_b64u, 'ascii'),
      bytes(vector.encrypt.generated.iv),
    )
    expect(sealed.ciphertext.toString('base64url')).toBe(vector.encrypt.encrypting_content.ciphertext)
    expect(sealed.tag.toString('base64url')).toBe(vector.encrypt.encrypting_content.tag)
  })
})
