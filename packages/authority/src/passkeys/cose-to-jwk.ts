import { cose, decodeCredentialPublicKey, isoBase64URL } from '@simplewebauthn/server/helpers'
import { calculateJwkThumbprintSync, type JWK } from '@tessera/jose'
import { PasskeyError } from './passkey-error.js'

export interface PasskeyJwk {
  readonly jwk: JWK
  readonly thumbprint: string
  /** The COSE algorithm the key is for. */
  readonly alg: number
}

/** Each curve with its coordinate size and the one algorithm that signs with it (RFC 9053 §2.1). */
const EC_CURVES: Readonly<Record<number, { crv: string; size: number; alg: number }>> = {
  [cose.COSECRV.P256]: { crv: 'P-256', size: 32, alg: -7 },
  [cose.COSECRV.P384]: { crv: 'P-384', size: 48, alg: -35 },
  [cose.COSECRV.P521]: { crv: 'P-521', size: 66, alg: -36 },
}

/** JOSE names of the COSE algorithms we accept (RFC 9053, RFC 8812). */
const JOSE_ALG: Readonly<Record<number, string>> = {
  [-7]: 'ES256',
  [-35]: 'ES384',
  [-36]: 'ES512',
  [-8]: 'EdDSA',
  [-257]: 'RS256',
}

const unsupported = (what: string) =>
  new PasskeyError('unsupported_algorithm', `The passkey's public key is not supported: ${what}.`)

const b64 = (bytes: Uint8Array<ArrayBuffer>) => isoBase64URL.fromBuffer(bytes)

/**
 * The credential's COSE public key (RFC 9052 §7, decoded by the library's CBOR helpers) as a public
 * JWK (RFC 7517/7518/8037) with its RFC 7638 thumbprint. EC2 on P-256/384/521, OKP Ed25519 and RSA;
 * anything else is refused, as is a coordinate of the wrong length.
 */
export function coseToJwk(coseKey: Uint8Array<ArrayBuffer>): PasskeyJwk {
  let key: cose.COSEPublicKey
  try {
    key = decodeCredentialPublicKey(coseKey)
  } catch {
    throw unsupported('it is not a COSE key')
  }
  // CBOR decodes anything: a number or a string is no key.
  if (!((key as unknown) instanceof Map)) throw unsupported('it is not a COSE key')
  const alg = key.get(cose.COSEKEYS.alg)
  if (alg === undefined || JOSE_ALG[alg] === undefined) throw unsupported(`algorithm ${String(alg)}`)
  let jwk: JWK
  if (cose.isCOSEPublicKeyEC2(key)) {
    const curve = EC_CURVES[key.get(cose.COSEKEYS.crv) ?? 0]
    const x = key.get(cose.COSEKEYS.x)
    const y = key.get(cose.COSEKEYS.y)
    if (curve === undefined) throw unsupported('an EC2 key on an unknown curve')
    if (curve.alg !== alg) throw unsupported(`${curve.crv} with algorithm ${alg}`)
    if (x?.length !== curve.size || y?.length !== curve.size) throw unsupported('malformed EC2 coordinates')
    jwk = { kty: 'EC', crv: curve.crv, x: b64(x), y: b64(y) }
  } else if (cose.isCOSEPublicKeyOKP(key)) {
    const x = key.get(cose.COSEKEYS.x)
    if (key.get(cose.COSEKEYS.crv) !== cose.COSECRV.ED25519)
      throw unsupported('an OKP key other than Ed25519')
    if (x?.length !== 32) throw unsupported('a malformed Ed25519 key')
    jwk = { kty: 'OKP', crv: 'Ed25519', x: b64(x) }
  } else if (cose.isCOSEPublicKeyRSA(key)) {
    const n = key.get(cose.COSEKEYS.n)
    const e = key.get(cose.COSEKEYS.e)
    if (n === undefined || e === undefined || n.length < 256) throw unsupported('an RSA key under 2048 bits')
    jwk = { kty: 'RSA', n: b64(n), e: b64(e) }
  } else {
    throw unsupported('an unknown key type')
  }
  // The algorithm must fit the key type: an "ES256" RSA key would be verified as nothing sensible.
  const family = jwk.kty === 'EC' ? 'ES' : jwk.kty === 'OKP' ? 'EdDSA' : 'RS'
  if (!(JOSE_ALG[alg] as string).startsWith(family))
    throw unsupported('an algorithm that does not fit the key')
  return { jwk: { ...jwk, alg: JOSE_ALG[alg] as string }, thumbprint: calculateJwkThumbprintSync(jwk), alg }
}
