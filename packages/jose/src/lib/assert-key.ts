import { JOSEError } from '../errors.js'
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

export function assertSigningKey(key: Key, alg: SigningAlgorithm, op: 'sign' | 'verify'): void {
  assertSigningKeyShape(key, alg)
  if (op === 'sign' && key.type === 'public') {
    throw new TypeError(`"key" must be a private key to sign with ${alg.name}`)
  }
  assertKeyUsage(key, alg.name, 'sig', op)
}
