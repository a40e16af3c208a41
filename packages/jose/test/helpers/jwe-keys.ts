/** Key pairs and secrets for every JWE algorithm, generated once per test file and reused. */
import {
  CONTENT_ENCRYPTION_ALGORITHMS,
  generateKeyPair,
  generateSecret,
  KEY_MANAGEMENT_ALGORITHMS,
  type Key,
} from '../../src/index.js'

export const ECDH_CURVES = ['P-256', 'P-384', 'P-521', 'X25519', 'X448'] as const

export interface EncryptionKeys {
  /** What the sender encrypts to (a public key, or the secret). */
  encryptKey: Key | string
  /** What the recipient decrypts with (the private key, or the secret). */
  decryptKey: Key | string
}

const cache = new Map<string, Promise<EncryptionKeys>>()

async function make(alg: string, enc: string, crv: string | undefined): Promise<EncryptionKeys> {
  if (alg === 'dir') {
    const secret = await generateSecret(enc)
    return { encryptKey: secret, decryptKey: secret }
  }
  if (alg.startsWith('PBES2'))
    return { encryptKey: 'correct horse battery staple', decryptKey: 'correct horse battery staple' }
  if (alg.startsWith('RSA-OAEP') || alg.startsWith('ECDH-ES')) {
    const { publicKey, privateKey } = await generateKeyPair(alg, crv === undefined ? {} : { crv })
    return { encryptKey: publicKey, decryptKey: privateKey }
  }
  const secret = await generateSecret(alg)
  return { encryptKey: secret, decryptKey: secret }
}

/** Keys for `alg` (and, for dir, `enc`; for ECDH-ES, `crv`), cached across calls. */
export function keysFor(alg: string, enc: string, crv?: string): Promise<EncryptionKeys> {
  const id = `${alg}|${alg === 'dir' ? enc : ''}|${crv ?? ''}`
  let keys = cache.get(id)
  if (!keys) {
    keys = make(alg, enc, crv)
    cache.set(id, keys)
  }
  return keys
}

export const ALL_ALGS = [...KEY_MANAGEMENT_ALGORITHMS]
export const ALL_ENCS = [...CONTENT_ENCRYPTION_ALGORITHMS]
export const ALLOW_ALL = { keyManagementAlgorithms: ALL_ALGS, contentEncryptionAlgorithms: ALL_ENCS }
/** A low PBES2 count keeps the matrix fast; production defaults are tested separately. */
export const FAST = { p2c: 1000 }
