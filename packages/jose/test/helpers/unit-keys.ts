import { Buffer } from 'node:buffer'
import { generateKeyPairSync, type KeyObject } from 'node:crypto'
import { type GeneratedKeyPair, generateKeyPair, importSecret, type Key } from '../../src/index.js'

/** Every asymmetric JWS algorithm, with the curve (if any) its keys use. */
export const ASYMMETRIC_ALGS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'ES256K',
  'Ed25519',
  'Ed448',
] as const

export const HMAC_ALGS = ['HS256', 'HS384', 'HS512'] as const

const pairs = new Map<string, Promise<GeneratedKeyPair>>()

/** One generated key pair per algorithm (and option set), shared by every test in a file. */
export function keyPairFor(alg: string, crv?: string): Promise<GeneratedKeyPair> {
  const id = `${alg}/${crv ?? ''}`
  let pair = pairs.get(id)
  if (!pair) {
    pair = generateKeyPair(alg, crv === undefined ? {} : { crv })
    pairs.set(id, pair)
  }
  return pair
}

/** A fixed HMAC secret of exactly the hash length, so HS tokens are deterministic. */
export function secretFor(alg: string): Key {
  const bytes = { HS256: 32, HS384: 48, HS512: 64 }[alg]
  if (bytes === undefined) throw new Error(`no secret for ${alg}`)
  return importSecret(Buffer.alloc(bytes, 0x61), alg)
}

/** Key agreement keys, which generateKeyPair (a JWS API) does not make. */
export function okpAgreementKey(crv: 'X25519' | 'X448'): { privateKey: KeyObject; publicKey: KeyObject } {
  return crv === 'X25519' ? generateKeyPairSync('x25519') : generateKeyPairSync('x448')
}

/** RFC 7638 §3.1: the RSA key whose SHA-256 thumbprint is NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs. */
export const RFC7638_JWK = {
  kty: 'RSA',
  n:
    '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMs' +
    'tn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajr' +
    'n1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
  e: 'AQAB',
  alg: 'RS256',
  kid: '2011-04-29',
} as const

/** RFC 8037 Appendix A: the Ed25519 key, its thumbprint (A.3) and its EdDSA JWS (A.4). */
export const RFC8037 = {
  jwk: {
    kty: 'OKP',
    crv: 'Ed25519',
    d: 'nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A',
    x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo',
  },
  thumbprint: 'kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k',
  payload: 'Example of Ed25519 signing',
  jws:
    'eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.' +
    'hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg',
} as const

/** RFC 7515 Appendix A.1: the HS256 example (the same key signs the RFC 7797 §4 examples). */
export const RFC7515_A1 = {
  jwk: {
    kty: 'oct',
    k: 'AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow',
  },
  jws:
    'eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.' +
    'eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.' +
    'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk',
} as const

export const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8')
