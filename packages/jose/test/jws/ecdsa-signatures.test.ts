/**
 * ECDSA signatures are raw r||s of exactly the curve's length with 0 < r, s < n. CVE-2022-21449
 * ("psychic signatures"): Java accepted r = s = 0 for any message and key. DER-encoded signatures
 * (what OpenSSL produces by default) are refused by their length.
 */
import { Buffer } from 'node:buffer'
import { sign } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  compactVerify,
  compactVerifySync,
  createJWTVerifier,
  flattenedVerify,
  generalVerify,
  type KeyInput,
  verifyJWT,
  verifyJWTSync,
} from '../../src/index.js'
import { b64u, forge, segment, withSegment } from '../helpers/hostile-tokens.js'
import { keyPairFor } from '../helpers/unit-keys.js'

const CURVES = {
  ES256: { size: 32, hash: 'sha256', n: 'ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551' },
  ES384: {
    size: 48,
    hash: 'sha384',
    n: 'ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973',
  },
  ES512: {
    size: 66,
    hash: 'sha512',
    n: '01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409',
  },
  ES256K: { size: 32, hash: 'sha256', n: 'fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141' },
} as const

type EcAlg = keyof typeof CURVES
const ALGS = Object.keys(CURVES) as EcAlg[]
const invalid = { code: 'ERR_JWS_SIGNATURE_INVALID' }

function toInt(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes).toString('hex')}`)
}

function fromInt(value: bigint, size: number): Buffer {
  return Buffer.from(value.toString(16).padStart(size * 2, '0'), 'hex')
}

async function setup(alg: EcAlg) {
  const { privateKey, publicKey } = await keyPairFor(alg)
  const token = forge({ alg }, { sub: 'admin', exp: 4102444800 }, privateKey)
  const { size, n: order } = CURVES[alg]
  const signature = Buffer.from(segment(token, 2), 'base64url')
  const r = signature.subarray(0, size)
  const s = signature.subarray(size)
  const n = BigInt(`0x${order}`)
  const rs = (rValue: bigint | Uint8Array, sValue: bigint | Uint8Array) =>
    withSegment(
      token,
      2,
      b64u(
        Buffer.concat([
          typeof rValue === 'bigint' ? fromInt(rValue, size) : rValue,
          typeof sValue === 'bigint' ? fromInt(sValue, size) : sValue,
        ]),
      ),
    )
  return { privateKey, publicKey, token, size, r, s, n, rs }
}

/** Every verify function refuses `token` (a compact JWS) with ERR_JWS_SIGNATURE_INVALID. */
async function refusedEverywhere(token: string, key: KeyInput, alg: EcAlg) {
  const options = { algorithms: [alg] }
  await expect(verifyJWT(token, key, options)).rejects.toMatchObject(invalid)
  expect(() => verifyJWTSync(token, key, options)).toThrow(expect.objectContaining(invalid))
  await expect(compactVerify(token, key, options)).rejects.toMatchObject(invalid)
  expect(() => compactVerifySync(token, key, options)).toThrow(expect.objectContaining(invalid))
  const verifier = createJWTVerifier({ key, ...options })
  await expect(verifier(token)).rejects.toMatchObject(invalid)
  expect(() => verifier.sync(token)).toThrow(expect.objectContaining(invalid))
  const [p, payload, signature] = token.split('.') as [string, string, string]
  await expect(flattenedVerify({ protected: p, payload, signature }, key, options)).rejects.toMatchObject(
    invalid,
  )
  await expect(
    generalVerify({ payload, signatures: [{ protected: p, signature }] }, key, options),
  ).rejects.toMatchObject(invalid)
}

describe.each(ALGS)('%s signatures', (alg) => {
  it('verifies the untouched signature (the baseline every case below changes)', async () => {
    const { publicKey, token, r, s, n, rs } = await setup(alg)
    await expect(verifyJWT(token, publicKey, { algorithms: [alg] })).resolves.toBeDefined()
    expect(rs(r, s)).toBe(token)
    expect(toInt(r) > 0n && toInt(r) < n && toInt(s) > 0n && toInt(s) < n).toBe(true)
  })

  it('refuses r = s = 0 (CVE-2022-21449), with the public or the private key', async () => {
    const { publicKey, privateKey, rs } = await setup(alg)
    await refusedEverywhere(rs(0n, 0n), publicKey, alg)
    await refusedEverywhere(rs(0n, 0n), privateKey, alg)
  })

  it('refuses r = 0 or s = 0 alone', async () => {
    const { publicKey, r, s, rs } = await setup(alg)
    await refusedEverywhere(rs(0n, s), publicKey, alg)
    await refusedEverywhere(rs(r, 0n), publicKey, alg)
  })

  it('refuses r or s equal to n, r = s = n (0 mod n), and values above n', async () => {
    const { publicKey, r, s, n, size, rs } = await setup(alg)
    await refusedEverywhere(rs(n, s), publicKey, alg)
    await refusedEverywhere(rs(r, n), publicKey, alg)
    await refusedEverywhere(rs(n, n), publicKey, alg)
    const max = (1n << BigInt(size * 8)) - 1n
    await refusedEverywhere(rs(max, s), publicKey, alg)
    await refusedEverywhere(rs(r, max), publicKey, alg)
    if (toInt(r) + n <= max) await refusedEverywhere(rs(toInt(r) + n, s), publicKey, alg)
  })

  it('refuses a signature of the wrong length', async () => {
    const { publicKey, token, r, s, size, rs } = await setup(alg)
    const signature = Buffer.from(segment(token, 2), 'base64url')
    await refusedEverywhere(withSegment(token, 2, ''), publicKey, alg)
    await refusedEverywhere(withSegment(token, 2, b64u(signature.subarray(0, -1))), publicKey, alg)
    await refusedEverywhere(
      withSegment(token, 2, b64u(Buffer.concat([signature, Buffer.alloc(1)]))),
      publicKey,
      alg,
    )
    await refusedEverywhere(
      withSegment(token, 2, b64u(Buffer.concat([Buffer.alloc(1), signature]))),
      publicKey,
      alg,
    )
    await refusedEverywhere(
      withSegment(token, 2, b64u(Buffer.concat([signature, signature]))),
      publicKey,
      alg,
    )
    await refusedEverywhere(withSegment(token, 2, b64u(r)), publicKey, alg)
    // r and s each with a leading zero byte: the right values, the wrong encoding.
    await refusedEverywhere(
      rs(Buffer.concat([Buffer.alloc(1), r]), Buffer.concat([Buffer.alloc(1), s])),
      publicKey,
      alg,
    )
    expect(size * 2).toBe(signature.length)
  })

  it('refuses a valid DER-encoded signature of the same input', async () => {
    const { privateKey, publicKey, token } = await setup(alg)
    const input = token.slice(0, token.lastIndexOf('.'))
    const der = sign(CURVES[alg].hash, Buffer.from(input), {
      key: privateKey.toKeyObject(),
      dsaEncoding: 'der',
    })
    expect(der[0]).toBe(0x30)
    await refusedEverywhere(withSegment(token, 2, b64u(der)), publicKey, alg)
  })
})
