import { JOSEError } from '../errors.js'
import type { ContentEncryptionAlgorithm } from '../jwa/content-encryption-algorithms.js'
import { ECDH_CURVES, type KeyManagementAlgorithm } from '../jwa/key-management-algorithms.js'
import type { SigningAlgorithm } from '../jwa/signing-algorithms.js'
import { type Key, type KeyOperation, keyObjectOf } from './key.js'

export const MIN_RSA_BITS = 2048

/**
 * A key bound to `EdDSA` (today's JWK sets) may verify the fully specified name on its curve, and a
 * key bound to `Ed25519`/`Ed448` may verify polymorphic `EdDSA` where the caller's allowlist names it.
 */
function bindingAllows(bound: string, alg: string, crv: string | undefined): boolean {
  if (bound === alg) return true
  if (bound === 'EdDSA') return alg === crv
  if (alg === 'EdDSA') return bound === crv
  return false
}

/** Refuses a key whose type, curve, size, binding, `use` or `key_ops` do not fit `alg` and `op`. */
export function assertKeyUsage(key: Key, algName: string, use: 'sig' | 'enc', op: KeyOperation): void {
  if (key.alg !== undefined && !bindingAllows(key.alg, algName, key.crv)) {
    throw new JOSEError('ERR_KEY_ALG_MISMATCH', `the key is bound to ${key.alg}, not ${algName}`)
  }
  if (key.use !== undefined && key.use !== use) {
    throw new JOSEError('ERR_KEY_USAGE_MISMATCH', `the key's "use" is ${key.use}, not ${use}`)
  }
  if (key.keyOps !== undefined && !key.keyOps.includes(op)) {
    throw new JOSEError('ERR_KEY_USAGE_MISMATCH', `the key's "key_ops" do not include ${op}`)
  }
}

/** Type, curve and size: what makes a key physically able to run `alg`. */
export function assertSigningKeyShape(key: Key, alg: SigningAlgorithm): void {
  if (key.kty !== alg.kty) {
    throw new JOSEError('ERR_KEY_ALG_MISMATCH', `${alg.name} needs a ${alg.kty} key, not ${key.kty}`)
  }
  if (alg.curves.length > 0 && !alg.curves.includes(key.crv as string)) {
    throw new JOSEError(
      'ERR_KEY_ALG_MISMATCH',
      `${alg.name} needs a key on ${alg.curves.join(' or ')}, not ${key.crv}`,
    )
  }
  if (alg.family === 'hmac' && key.bits < alg.size * 8) {
    throw new JOSEError('ERR_KEY_TOO_SHORT', `${alg.name} needs a secret of at least ${alg.size} bytes`)
  }
  if (alg.kty === 'RSA') {
    if (key.bits < MIN_RSA_BITS) {
      throw new JOSEError('ERR_KEY_TOO_SHORT', `RSA keys must be at least ${MIN_RSA_BITS} bits`)
    }
    if (alg.family === 'rsa' && keyObjectOf(key).asymmetricKeyType === 'rsa-pss') {
      throw new JOSEError('ERR_KEY_ALG_MISMATCH', `an RSA-PSS key cannot be used with ${alg.name}`)
    }
  }
}

// Keys are frozen and their bindings immutable, so a check that passed once passes forever: the
// verify hot path skips repeating it for the same key, algorithm and operation.
const passedSigningChecks = new WeakMap<Key, Set<string>>()

export function assertSigningKey(key: Key, alg: SigningAlgorithm, op: 'sign' | 'verify'): void {
  const passed = passedSigningChecks.get(key)
  const check = `${op} ${alg.name}`
  if (passed?.has(check)) return
  assertSigningKeyShape(key, alg)
  if (op === 'sign' && key.type === 'public') {
    throw new TypeError(`"key" must be a private key to sign with ${alg.name}`)
  }
  assertKeyUsage(key, alg.name, 'sig', op)
  if (passed) passed.add(check)
  else passedSigningChecks.set(key, new Set([check]))
}

/**
 * Type, curve and size for JWE key management: RSA-OAEP needs RSA >= 2048 bits, ECDH-ES an EC P-256/
 * P-384/P-521 or OKP X25519/X448 key, AxxxKW and AxxxGCMKW a secret of exactly their key size, and
 * `dir` a secret of exactly the CEK size of `enc` (when known).
 */
export function assertEncryptionKeyShape(
  key: Key,
  alg: KeyManagementAlgorithm,
  enc?: ContentEncryptionAlgorithm,
): void {
  const mismatch = (message: string): never => {
    throw new JOSEError('ERR_KEY_ALG_MISMATCH', message)
  }
  switch (alg.family) {
    case 'rsa-oaep':
      if (key.kty !== 'RSA') mismatch(`${alg.name} needs an RSA key, not ${key.kty}`)
      if (key.bits < MIN_RSA_BITS)
        throw new JOSEError('ERR_KEY_TOO_SHORT', `RSA keys must be at least ${MIN_RSA_BITS} bits`)
      if (keyObjectOf(key).asymmetricKeyType === 'rsa-pss')
        mismatch(`an RSA-PSS key cannot be used with ${alg.name}`)
      return
    case 'ecdh-es':
      if ((key.kty !== 'EC' && key.kty !== 'OKP') || !ECDH_CURVES.includes(key.crv as string)) {
        mismatch(`${alg.name} needs a key on ${ECDH_CURVES.join(', ')}, not ${key.kty} ${String(key.crv)}`)
      }
      return
    case 'dir':
      if (key.kty !== 'oct') mismatch(`dir needs a secret key, not ${key.kty}`)
      if (enc !== undefined && key.bits !== enc.cekBytes * 8) {
        mismatch(`dir with ${enc.name} needs a ${enc.cekBytes}-byte key, not ${key.bits / 8} bytes`)
      }
      return
    case 'pbes2':
      if (key.kty !== 'oct' || key.bits === 0) mismatch(`${alg.name} needs a password (a non-empty secret)`)
      return
    default:
      if (key.kty !== 'oct') mismatch(`${alg.name} needs a secret key, not ${key.kty}`)
      if (key.bits !== alg.kekBytes * 8)
        mismatch(`${alg.name} needs a ${alg.kekBytes}-byte key, not ${key.bits / 8} bytes`)
  }
}

/** A key bound to a content encryption algorithm (RFC 7520 §5.6 binds `dir` keys that way) fits `dir` with it. */
export function assertContentKeyShape(key: Key, enc: ContentEncryptionAlgorithm): void {
  if (key.kty !== 'oct' || key.bits !== enc.cekBytes * 8) {
    throw new JOSEError('ERR_KEY_ALG_MISMATCH', `${enc.name} needs a ${enc.cekBytes}-byte secret key`)
  }
}

// RFC 7517 §4.3 operations that permit each direction (WebCrypto spells some of them differently).
const JWE_OPERATIONS: Readonly<
  Record<string, Readonly<Record<'encrypt' | 'decrypt', readonly KeyOperation[]>>>
> = {
  dir: { encrypt: ['encrypt'], decrypt: ['decrypt'] },
  'ecdh-es': {
    encrypt: ['deriveKey', 'deriveBits', 'wrapKey', 'encrypt'],
    decrypt: ['deriveKey', 'deriveBits'],
  },
  pbes2: {
    encrypt: ['deriveKey', 'deriveBits', 'wrapKey'],
    decrypt: ['deriveKey', 'deriveBits', 'unwrapKey'],
  },
  wrap: { encrypt: ['wrapKey', 'encrypt'], decrypt: ['unwrapKey', 'decrypt'] },
}

/** Refuses a key whose type, size, binding, `use` or `key_ops` do not fit this JWE algorithm and direction. */
export function assertEncryptionKey(
  key: Key,
  alg: KeyManagementAlgorithm,
  enc: ContentEncryptionAlgorithm,
  direction: 'encrypt' | 'decrypt',
): void {
  assertEncryptionKeyShape(key, alg, enc)
  if (direction === 'decrypt' && key.type === 'public') {
    throw new TypeError(`"key" must be a private key to decrypt with ${alg.name}`)
  }
  if (key.alg !== undefined && key.alg !== alg.name && !(alg.family === 'dir' && key.alg === enc.name)) {
    throw new JOSEError('ERR_KEY_ALG_MISMATCH', `the key is bound to ${key.alg}, not ${alg.name}`)
  }
  if (key.use !== undefined && key.use !== 'enc') {
    throw new JOSEError('ERR_KEY_USAGE_MISMATCH', `the key's "use" is ${key.use}, not enc`)
  }
  const family =
    alg.family === 'dir' || alg.family === 'ecdh-es' || alg.family === 'pbes2' ? alg.family : 'wrap'
  const permitted = (JWE_OPERATIONS[family] as Record<'encrypt' | 'decrypt', readonly KeyOperation[]>)[
    direction
  ]
  if (key.keyOps !== undefined && !key.keyOps.some((op) => permitted.includes(op))) {
    throw new JOSEError(
      'ERR_KEY_USAGE_MISMATCH',
      `the key's "key_ops" include none of ${permitted.join(', ')}`,
    )
  }
}
