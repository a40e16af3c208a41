/**
 * The JWE content encryption registry (RFC 7518 §5). Code below this module receives a resolved
 * descriptor and never looks at algorithm names again.
 */
export type ContentEncryptionFamily = 'cbc-hmac' | 'gcm'

/**
 * A content encryption algorithm (`enc`) as the JWE registry knows it: its name, family and key and
 * tag sizes. Code below the registry receives this descriptor, never a bare name.
 */
export interface ContentEncryptionAlgorithm {
  readonly name: string
  readonly family: ContentEncryptionFamily
  /** Length of the CEK in bytes (for AES-CBC-HMAC, the MAC key and the encryption key together). */
  readonly cekBytes: number
  /** Exact initialization vector length in bytes. */
  readonly ivBytes: number
  /** Exact authentication tag length in bytes: no truncated tags. */
  readonly tagBytes: number
  /** AES-CBC-HMAC: the HMAC digest. */
  readonly hash: 'sha256' | 'sha384' | 'sha512' | null
}

const define = (
  name: string,
  family: ContentEncryptionFamily,
  cekBytes: number,
  ivBytes: number,
  tagBytes: number,
  hash: ContentEncryptionAlgorithm['hash'],
): ContentEncryptionAlgorithm => Object.freeze({ name, family, cekBytes, ivBytes, tagBytes, hash })

const REGISTRY: ReadonlyMap<string, ContentEncryptionAlgorithm> = new Map(
  [
    define('A128CBC-HS256', 'cbc-hmac', 32, 16, 16, 'sha256'),
    define('A192CBC-HS384', 'cbc-hmac', 48, 16, 24, 'sha384'),
    define('A256CBC-HS512', 'cbc-hmac', 64, 16, 32, 'sha512'),
    // RFC 7518 §5.3: a 96-bit IV and a 128-bit tag, exactly.
    define('A128GCM', 'gcm', 16, 12, 16, null),
    define('A192GCM', 'gcm', 24, 12, 16, null),
    define('A256GCM', 'gcm', 32, 12, 16, null),
  ].map((enc) => [enc.name, enc]),
)

/** Every JWE content encryption algorithm @tessera/jose implements. */
export const CONTENT_ENCRYPTION_ALGORITHMS: readonly string[] = Object.freeze([...REGISTRY.keys()])

export function getContentEncryptionAlgorithm(name: string): ContentEncryptionAlgorithm | undefined {
  return REGISTRY.get(name)
}
