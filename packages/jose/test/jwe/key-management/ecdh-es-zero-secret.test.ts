/**
 * The all-zero shared secret check does not rely on OpenSSL: with a backend whose agreement returns
 * zeros (as a low-order point gives on backends that do not refuse it), decryption and encryption
 * both refuse with ERR_JWE_EPK_INVALID.
 */
import { Buffer } from 'node:buffer'
import { describe, expect, it, vi } from 'vitest'

vi.mock(import('../../../src/lib/backend/encryption.js'), async (importOriginal) => {
  const original = await importOriginal()
  return { ...original, ecdhSharedSecret: vi.fn(() => Buffer.alloc(32)) }
})

const { compactDecrypt, compactEncrypt, generateKeyPair } = await import('../../../src/index.js')
const backend = await import('../../../src/lib/backend/encryption.js')

describe('all-zero ECDH shared secret', () => {
  it('is refused on encrypt and on decrypt', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ECDH-ES', { crv: 'X25519' })
    await expect(compactEncrypt('x', publicKey, { alg: 'ECDH-ES', enc: 'A128GCM' })).rejects.toMatchObject({
      code: 'ERR_JWE_EPK_INVALID',
    })
    vi.mocked(backend.ecdhSharedSecret).mockImplementationOnce(() => Buffer.alloc(32, 7))
    const jwe = await compactEncrypt('x', publicKey, { alg: 'ECDH-ES', enc: 'A128GCM' })
    await expect(
      compactDecrypt(jwe, privateKey, {
        keyManagementAlgorithms: ['ECDH-ES'],
        contentEncryptionAlgorithms: ['A128GCM'],
      }),
    ).rejects.toMatchObject({ code: 'ERR_JWE_EPK_INVALID' })
  })
})
