import { compactDecrypt, compactEncrypt, importSecret, isJOSEError } from '@tessera/jose'

/**
 * Sealing of private keys at rest: @tessera/jose's JWE Compact Serialization with `alg: dir`,
 * `enc: A256GCM` (RFC 7516 §7.1, RFC 7518 §4.5 and §5.3), keyed by the 32-byte master key. Every
 * sealed value is standard JWE, so any JOSE implementation holding the master key can open it.
 */
const HEADER = { alg: 'dir', enc: 'A256GCM', cty: 'jwk+json' } as const
const ACCEPT = { keyManagementAlgorithms: ['dir'], contentEncryptionAlgorithms: ['A256GCM'] } as const

export class SealError extends Error {
  override name = 'SealError'
}

export interface Sealer {
  seal(plaintext: string): Promise<string>
  unseal(jwe: string): Promise<string>
}

export function createSealer(masterKey: Uint8Array): Sealer {
  if (masterKey.length !== 32) throw new TypeError('"masterKey" must be 32 bytes')
  const key = importSecret(masterKey, 'dir')
  const decoder = new TextDecoder('utf-8', { fatal: true })
  return {
    seal: (plaintext) => compactEncrypt(plaintext, key, HEADER),
    async unseal(jwe) {
      try {
        const { plaintext } = await compactDecrypt(jwe, key, ACCEPT)
        return decoder.decode(plaintext)
      } catch (error) {
        if (isJOSEError(error))
          throw new SealError(`cannot unseal (${error.code}): wrong master key or tampered data`)
        throw error
      }
    },
  }
}
