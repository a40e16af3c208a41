/**
 * The JWE key management registry (RFC 7518 §4, RFC 8037 §3.2 for X25519/X448). Code below this module
 * receives a resolved descriptor and never looks at algorithm names again.
 */
export type KeyManagementFamily = 'dir' | 'rsa-oaep' | 'aes-kw' | 'aes-gcm-kw' | 'ecdh-es' | 'pbes2'
export type KeyManagementHash = 'sha1' | 'sha256' | 'sha384' | 'sha512'

/**
 * A key management algorithm (`alg` of a JWE) as the registry knows it: its name, family and the key
 * it needs.
 */
export interface KeyManagementAlgorithm {
  readonly name: string
  readonly family: KeyManagementFamily
  /** RSA-OAEP: the OAEP and MGF1 digest. PBES2: the PBKDF2 PRF digest. */
  readonly hash: KeyManagementHash | null
  /** Bytes of the AES key-encryption key (AES-KW, AES-GCM-KW, the KW step of ECDH-ES+KW and PBES2); 0 if none. */
  readonly kekBytes: number
  /** True when the CEK is the key (dir) or the agreed secret (ECDH-ES): no encrypted key is transmitted. */
  readonly direct: boolean
}

const define = (
  name: string,
  family: KeyManagementFamily,
  hash: KeyManagementHash | null,
  kekBytes: number,
  direct = false,
): KeyManagementAlgorithm => Object.freeze({ name, family, hash, kekBytes, direct })

const REGISTRY: ReadonlyMap<string, KeyManagementAlgorithm> = new Map(
  [
    define('dir', 'dir', null, 0, true),
    define('RSA-OAEP', 'rsa-oaep', 'sha1', 0),
    define('RSA-OAEP-256', 'rsa-oaep', 'sha256', 0),
    define('RSA-OAEP-384', 'rsa-oaep', 'sha384', 0),
    define('RSA-OAEP-512', 'rsa-oaep', 'sha512', 0),
    define('A128KW', 'aes-kw', null, 16),
    define('A192KW', 'aes-kw', null, 24),
    define('A256KW', 'aes-kw', null, 32),
    define('A128GCMKW', 'aes-gcm-kw', null, 16),
    define('A192GCMKW', 'aes-gcm-kw', null, 24),
    define('A256GCMKW', 'aes-gcm-kw', null, 32),
    define('ECDH-ES', 'ecdh-es', null, 0, true),
    define('ECDH-ES+A128KW', 'ecdh-es', null, 16),
    define('ECDH-ES+A192KW', 'ecdh-es', null, 24),
    define('ECDH-ES+A256KW', 'ecdh-es', null, 32),
    define('PBES2-HS256+A128KW', 'pbes2', 'sha256', 16),
    define('PBES2-HS384+A192KW', 'pbes2', 'sha384', 24),
    define('PBES2-HS512+A256KW', 'pbes2', 'sha512', 32),
  ].map((alg) => [alg.name, alg]),
)

/** Every JWE key management algorithm @tessera/jose implements. RSA1_5 is deliberately absent. */
export const KEY_MANAGEMENT_ALGORITHMS: readonly string[] = Object.freeze([...REGISTRY.keys()])

/** Curves ECDH-ES runs on (RFC 7518 §4.6, RFC 8037 §3.2). */
export const ECDH_CURVES: readonly string[] = Object.freeze(['P-256', 'P-384', 'P-521', 'X25519', 'X448'])

export function getKeyManagementAlgorithm(name: string): KeyManagementAlgorithm | undefined {
  return REGISTRY.get(name)
}

/**
 * RSAES-PKCS1-v1_5 (RFC 7518 §4.2) is recognised only to be refused: every implementation that
 * decrypts it is a Bleichenbacher padding oracle unless it is perfectly constant time, and Node 20
 * blocks PKCS#1 v1.5 private decryption for that reason.
 */
export function isRSA1_5(name: unknown): boolean {
  return name === 'RSA1_5'
}

export const RSA1_5_MESSAGE =
  'RSA1_5 is refused: RSAES-PKCS1-v1_5 decryption is a Bleichenbacher padding oracle (and Node 20 blocks it); use RSA-OAEP-256'
