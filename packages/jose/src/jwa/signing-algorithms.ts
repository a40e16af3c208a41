/**
 * The JWS algorithm registry (RFC 7518 §3, RFC 8812 for ES256K, RFC 9864 for Ed25519/Ed448). Code
 * below this module receives a resolved descriptor and never looks at algorithm names again.
 */
export type SigningFamily = 'hmac' | 'rsa' | 'rsa-pss' | 'ecdsa' | 'eddsa'
export type HashName = 'sha256' | 'sha384' | 'sha512'

export interface SigningAlgorithm {
  readonly name: string
  readonly family: SigningFamily
  /** Digest for the primitive; null for EdDSA, which hashes internally. */
  readonly hash: HashName | null
  readonly kty: 'oct' | 'RSA' | 'EC' | 'OKP'
  /** Curves the key must be on (EC and OKP); empty for RSA and oct. */
  readonly curves: readonly string[]
  /** HMAC: shortest accepted secret (the hash output length, RFC 7518 §3.2). ECDSA: r||s byte length. */
  readonly size: number
}

const define = (
  name: string,
  family: SigningFamily,
  hash: HashName | null,
  kty: SigningAlgorithm['kty'],
  curves: readonly string[],
  size: number,
): SigningAlgorithm => Object.freeze({ name, family, hash, kty, curves: Object.freeze([...curves]), size })

const REGISTRY: ReadonlyMap<string, SigningAlgorithm> = new Map(
  [
    define('HS256', 'hmac', 'sha256', 'oct', [], 32),
    define('HS384', 'hmac', 'sha384', 'oct', [], 48),
    define('HS512', 'hmac', 'sha512', 'oct', [], 64),
    define('RS256', 'rsa', 'sha256', 'RSA', [], 0),
    define('RS384', 'rsa', 'sha384', 'RSA', [], 0),
    define('RS512', 'rsa', 'sha512', 'RSA', [], 0),
    define('PS256', 'rsa-pss', 'sha256', 'RSA', [], 0),
    define('PS384', 'rsa-pss', 'sha384', 'RSA', [], 0),
    define('PS512', 'rsa-pss', 'sha512', 'RSA', [], 0),
    define('ES256', 'ecdsa', 'sha256', 'EC', ['P-256'], 64),
    define('ES384', 'ecdsa', 'sha384', 'EC', ['P-384'], 96),
    define('ES512', 'ecdsa', 'sha512', 'EC', ['P-521'], 132),
    define('ES256K', 'ecdsa', 'sha256', 'EC', ['secp256k1'], 64),
    define('Ed25519', 'eddsa', null, 'OKP', ['Ed25519'], 64),
    define('Ed448', 'eddsa', null, 'OKP', ['Ed448'], 114),
    define('EdDSA', 'eddsa', null, 'OKP', ['Ed25519', 'Ed448'], 0),
  ].map((alg) => [alg.name, alg]),
)

/** Every JWS algorithm @tessera/jose implements, fully specified names first. */
export const SIGNING_ALGORITHMS: readonly string[] = Object.freeze([...REGISTRY.keys()])

export function getSigningAlgorithm(name: string): SigningAlgorithm | undefined {
  return REGISTRY.get(name)
}

/** True for `none` in any letter case: RFC 7515 names are case-sensitive, attackers' spellings are not. */
export function isUnsecuredAlgorithmName(name: unknown): boolean {
  return typeof name === 'string' && name.toLowerCase() === 'none'
}
