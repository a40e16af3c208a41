import { importJWKSync, type JWK, type Key } from '@tessera/jose'

/** How many members of a key set are looked at for an encryption key: sets are small, abuse is not. */
const MAX_MEMBERS = 20

function fitsType(jwk: Record<string, unknown>, alg: string): boolean {
  if (alg.startsWith('RSA-OAEP')) return jwk.kty === 'RSA'
  if (alg.startsWith('ECDH-ES')) return jwk.kty === 'EC' || (jwk.kty === 'OKP' && jwk.crv === 'X25519')
  return false
}

/**
 * The recipient's encryption key for `alg`: the first member whose `use` is `enc` (RFC 7517 §4.2; a
 * key without `use` may be a signing key, so it is never guessed at), whose `alg` if any is `alg`,
 * whose type fits, and which imports bound to `alg`. Undefined when no member qualifies.
 */
export function selectEncryptionKey(keys: readonly unknown[], alg: string): Key | undefined {
  for (const member of keys.slice(0, MAX_MEMBERS)) {
    if (typeof member !== 'object' || member === null || Array.isArray(member)) continue
    const jwk = member as Record<string, unknown>
    if (jwk.use !== 'enc' || (jwk.alg !== undefined && jwk.alg !== alg) || !fitsType(jwk, alg)) continue
    try {
      return importJWKSync(jwk as JWK, alg)
    } catch {
      // An unusable member is skipped, like the JWK set index does for verification keys.
    }
  }
  return undefined
}
