/** The pkcs11js module, loaded only when a token is configured (it is a native addon). */
export type Pkcs11Module = typeof import('pkcs11js')

/**
 * How each JWS algorithm is generated and signed inside a PKCS#11 token. ECDSA signs a digest the
 * authority computes (CKM_ECDSA, RFC 7518 §3.4: the raw r||s the token returns is the JWS signature);
 * RSA hashes inside the token (CKM_SHA*_RSA_PKCS, CKM_SHA*_RSA_PKCS_PSS with MGF1 and a salt as long
 * as the hash, RFC 7518 §3.5).
 */
export type TokenAlgorithm =
  | {
      kind: 'ec'
      alg: string
      hash: 'sha256' | 'sha384' | 'sha512'
      curve: string
      oid: Buffer
      size: number
    }
  | { kind: 'rsa'; alg: string; mechanism: number; pss?: { hashAlg: number; mgf: number; saltLen: number } }

const P256 = Buffer.from('06082a8648ce3d030107', 'hex')
const P384 = Buffer.from('06052b81040022', 'hex')
const P521 = Buffer.from('06052b81040023', 'hex')

export const RSA_MODULUS_BITS = 2048

export function tokenAlgorithm(p: Pkcs11Module, alg: string): TokenAlgorithm {
  switch (alg) {
    case 'ES256':
      return { kind: 'ec', alg, hash: 'sha256', curve: 'P-256', oid: P256, size: 32 }
    case 'ES384':
      return { kind: 'ec', alg, hash: 'sha384', curve: 'P-384', oid: P384, size: 48 }
    case 'ES512':
      return { kind: 'ec', alg, hash: 'sha512', curve: 'P-521', oid: P521, size: 66 }
    case 'RS256':
      return { kind: 'rsa', alg, mechanism: p.CKM_SHA256_RSA_PKCS }
    case 'RS384':
      return { kind: 'rsa', alg, mechanism: p.CKM_SHA384_RSA_PKCS }
    case 'RS512':
      return { kind: 'rsa', alg, mechanism: p.CKM_SHA512_RSA_PKCS }
    case 'PS256':
      return pss(alg, p.CKM_SHA256_RSA_PKCS_PSS, p.CKM_SHA256, p.CKG_MGF1_SHA256, 32)
    case 'PS384':
      return pss(alg, p.CKM_SHA384_RSA_PKCS_PSS, p.CKM_SHA384, p.CKG_MGF1_SHA384, 48)
    case 'PS512':
      return pss(alg, p.CKM_SHA512_RSA_PKCS_PSS, p.CKM_SHA512, p.CKG_MGF1_SHA512, 64)
    default:
      throw new TypeError(`"signingAlg" ${alg} cannot be used with a PKCS#11 token (ES*, RS*, PS* can)`)
  }
}

function pss(alg: string, mechanism: number, hashAlg: number, mgf: number, saltLen: number): TokenAlgorithm {
  return { kind: 'rsa', alg, mechanism, pss: { hashAlg, mgf, saltLen } }
}
