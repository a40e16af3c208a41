/**
 * Invalid-curve and cross-curve ECDH-ES (the 2017 JWE invalid-curve attacks): the sender's `epk` must
 * be on the recipient key's own curve, on the curve, of full length, and not a low-order X25519/X448
 * point. Every refusal is ERR_JWE_EPK_INVALID, and happens before the private key is used.
 */
import { Buffer } from 'node:buffer'
import { generateKeyPairSync } from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  compactDecrypt,
  compactEncrypt,
  exportJWK,
  generateKeyPair,
  importJWK,
  type Key,
} from '../../../src/index.js'
import { assertNonZeroSecret } from '../../../src/jwe/internal/epk.js'
import { rebuildJWE, splitJWE } from '../../helpers/jwe-forge.js'

const OPTIONS = {
  keyManagementAlgorithms: ['ECDH-ES', 'ECDH-ES+A128KW'],
  contentEncryptionAlgorithms: ['A128GCM'],
}
const EPK_INVALID = { code: 'ERR_JWE_EPK_INVALID' }

function le(value: bigint, length: number): string {
  const out = Buffer.alloc(length)
  let rest = value
  for (let i = 0; i < length; i++) {
    out[i] = Number(rest & 0xffn)
    rest >>= 8n
  }
  return out.toString('base64url')
}

async function tokenFor(publicKey: Key, alg = 'ECDH-ES+A128KW') {
  return compactEncrypt('secret', publicKey, { alg, enc: 'A128GCM' })
}

function withEpk(jwe: string, epk: unknown): string {
  const { header } = splitJWE(jwe)
  return rebuildJWE(jwe, { header: { ...header, epk } })
}

describe('NIST curves', () => {
  let p256: { privateKey: Key; publicKey: Key }
  let p384: { privateKey: Key; publicKey: Key }
  beforeAll(async () => {
    p256 = await generateKeyPair('ECDH-ES+A128KW', { crv: 'P-256' })
    p384 = await generateKeyPair('ECDH-ES+A128KW', { crv: 'P-384' })
  })

  it('decrypts the untouched token (control)', async () => {
    const jwe = await tokenFor(p256.publicKey)
    expect(Buffer.from((await compactDecrypt(jwe, p256.privateKey, OPTIONS)).plaintext).toString()).toBe(
      'secret',
    )
  })

  it('refuses an epk that is not on the curve', async () => {
    const jwe = await tokenFor(p256.publicKey)
    const epk = splitJWE(jwe).header.epk as { y: string }
    const y = Buffer.from(epk.y, 'base64url')
    y[31] = (y[31] as number) ^ 1
    await expect(
      compactDecrypt(withEpk(jwe, { ...epk, y: y.toString('base64url') }), p256.privateKey, OPTIONS),
    ).rejects.toMatchObject(EPK_INVALID)
  })

  it('refuses a P-256 epk against a P-384 key (cross-curve)', async () => {
    const jwe = await tokenFor(p256.publicKey)
    await expect(compactDecrypt(jwe, p384.privateKey, OPTIONS)).rejects.toMatchObject({
      ...EPK_INVALID,
      message: expect.stringMatching(/P-256.*P-384/),
    })
  })

  it('refuses a P-256 point relabelled as P-384, and coordinates of the wrong length', async () => {
    const jwe = await tokenFor(p256.publicKey)
    const epk = splitJWE(jwe).header.epk as Record<string, string>
    await expect(
      compactDecrypt(withEpk(jwe, { ...epk, crv: 'P-384' }), p384.privateKey, OPTIONS),
    ).rejects.toMatchObject(EPK_INVALID)
    const short = Buffer.from(epk.x as string, 'base64url')
      .subarray(1)
      .toString('base64url')
    await expect(
      compactDecrypt(withEpk(jwe, { ...epk, x: short }), p256.privateKey, OPTIONS),
    ).rejects.toMatchObject(EPK_INVALID)
  })

  it('refuses a missing epk, a non-object epk, an OKP epk for an EC key, and an epk with a private part', async () => {
    const jwe = await tokenFor(p256.publicKey)
    const epk = splitJWE(jwe).header.epk as Record<string, string>
    for (const bad of [undefined, 'epk', [epk], { ...epk, kty: 'OKP' }]) {
      await expect(compactDecrypt(withEpk(jwe, bad), p256.privateKey, OPTIONS)).rejects.toMatchObject(
        EPK_INVALID,
      )
    }
    const ephemeral = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({
      format: 'jwk',
    })
    await expect(compactDecrypt(withEpk(jwe, ephemeral), p256.privateKey, OPTIONS)).rejects.toMatchObject(
      EPK_INVALID,
    )
  })
})

describe('X25519 and X448 low-order points', () => {
  const p25519 = 2n ** 255n - 19n
  const p448 = 2n ** 448n - 2n ** 224n - 1n
  const X25519_LOW_ORDER = [
    0n,
    1n,
    325606250916557431795983626356110631294008115727848805560023387167927233504n,
    39382357235489614581723060781553021112529911719440698176882885853963445705823n,
    p25519 - 1n,
    p25519,
    p25519 + 1n,
    2n ** 255n, // 0 with the ignored top bit set
    2n ** 255n + 1n,
  ]
  const X448_LOW_ORDER = [0n, 1n, p448 - 1n, p448, p448 + 1n]

  it.each(X25519_LOW_ORDER.map((u) => [u.toString(16).slice(0, 12), u]))(
    'X25519 u = 0x%s… is refused',
    async (_, u) => {
      const { publicKey, privateKey } = await generateKeyPair('ECDH-ES', { crv: 'X25519' })
      const jwe = await tokenFor(publicKey, 'ECDH-ES')
      const bad = withEpk(jwe, { kty: 'OKP', crv: 'X25519', x: le(u as bigint, 32) })
      await expect(compactDecrypt(bad, privateKey, OPTIONS)).rejects.toMatchObject(EPK_INVALID)
    },
  )

  it.each(X448_LOW_ORDER.map((u) => [u.toString(16).slice(0, 12), u]))(
    'X448 u = 0x%s… is refused',
    async (_, u) => {
      const { publicKey, privateKey } = await generateKeyPair('ECDH-ES', { crv: 'X448' })
      const jwe = await tokenFor(publicKey, 'ECDH-ES')
      const bad = withEpk(jwe, { kty: 'OKP', crv: 'X448', x: le(u as bigint, 56) })
      await expect(compactDecrypt(bad, privateKey, OPTIONS)).rejects.toMatchObject(EPK_INVALID)
    },
  )

  it('refuses an X25519 epk against an X448 key (cross-curve)', async () => {
    const x25519 = await generateKeyPair('ECDH-ES', { crv: 'X25519' })
    const x448 = await generateKeyPair('ECDH-ES', { crv: 'X448' })
    const jwe = await tokenFor(x25519.publicKey, 'ECDH-ES')
    await expect(compactDecrypt(jwe, x448.privateKey, OPTIONS)).rejects.toMatchObject(EPK_INVALID)
  })

  it('refuses an all-zero shared secret, and a failed agreement', () => {
    expect(() => assertNonZeroSecret(Buffer.alloc(32))).toThrow(expect.objectContaining(EPK_INVALID))
    expect(() => assertNonZeroSecret(null)).toThrow(expect.objectContaining(EPK_INVALID))
    expect(() => assertNonZeroSecret(Buffer.from([0, 0, 1]))).not.toThrow()
  })

  it('refuses to encrypt to a low-order recipient key', async () => {
    const { publicKey } = await generateKeyPair('ECDH-ES', { crv: 'X25519' })
    const jwk = await exportJWK(publicKey)
    const lowOrder = await importJWK({ ...jwk, x: le(1n, 32) })
    await expect(compactEncrypt('x', lowOrder, { alg: 'ECDH-ES', enc: 'A128GCM' })).rejects.toMatchObject({
      code: 'ERR_KEY_INVALID',
    })
  })
})
