/**
 * PBES2 (RFC 7518 §4.8): `p2c` is attacker-chosen work for the recipient and `p2s` the salt. p2c must
 * be an integer from 1000 to the configured maximum (default 100000); p2s at least 8 bytes. Refusals
 * are ERR_JWE_PBES2_INVALID and come before any PBKDF2 iteration runs (a p2c of 10^9 would otherwise
 * hold a thread for minutes, and this test would time out).
 */
import { Buffer } from 'node:buffer'
import { describe, expect, it } from 'vitest'
import { compactDecrypt, compactEncrypt } from '../../../src/index.js'
import { rebuildJWE, splitJWE } from '../../helpers/jwe-forge.js'

const OPTIONS = { keyManagementAlgorithms: ['PBES2-HS256+A128KW'], contentEncryptionAlgorithms: ['A128GCM'] }
const PBES2_INVALID = { code: 'ERR_JWE_PBES2_INVALID' }
const PASSWORD = 'a long passphrase nobody guesses'

async function token(p2c = 1000) {
  return compactEncrypt('payload', PASSWORD, { alg: 'PBES2-HS256+A128KW', enc: 'A128GCM' }, { p2c })
}

function withHeader(jwe: string, changes: Record<string, unknown>): string {
  return rebuildJWE(jwe, { header: { ...splitJWE(jwe).header, ...changes } })
}

describe('PBES2 p2c bounds', () => {
  it('decrypts the untouched token (control)', async () => {
    expect(Buffer.from((await compactDecrypt(await token(), PASSWORD, OPTIONS)).plaintext).toString()).toBe(
      'payload',
    )
  })

  it.each([
    ['below 1000', 999],
    ['zero', 0],
    ['negative', -1000],
    ['not an integer', 1000.5],
    ['above the default maximum', 100_001],
    ['huge', 1e9],
    ['unsafe', 2 ** 60],
    ['a float past every bound', 1e308],
    ['a string', '2048'],
    ['missing', undefined],
  ])('refuses p2c %s', async (_, p2c) => {
    await expect(compactDecrypt(withHeader(await token(), { p2c }), PASSWORD, OPTIONS)).rejects.toMatchObject(
      PBES2_INVALID,
    )
  })

  it('refuses p2c above a configured maximum, and accepts it under a higher one', async () => {
    const jwe = await token(5000)
    await expect(compactDecrypt(jwe, PASSWORD, { ...OPTIONS, maxPBES2Count: 4999 })).rejects.toMatchObject(
      PBES2_INVALID,
    )
    expect(
      (await compactDecrypt(jwe, PASSWORD, { ...OPTIONS, maxPBES2Count: 5000 })).plaintext,
    ).toBeInstanceOf(Uint8Array)
    const high = await token(120_000)
    await expect(compactDecrypt(high, PASSWORD, OPTIONS)).rejects.toMatchObject(PBES2_INVALID)
    expect(
      (await compactDecrypt(high, PASSWORD, { ...OPTIONS, maxPBES2Count: 200_000 })).plaintext,
    ).toBeInstanceOf(Uint8Array)
  })

  it('checks p2c before resolving a key', async () => {
    let resolved = false
    const resolver = () => {
      resolved = true
      return PASSWORD
    }
    await expect(
      compactDecrypt(withHeader(await token(), { p2c: 1e9 }), resolver, OPTIONS),
    ).rejects.toMatchObject(PBES2_INVALID)
    expect(resolved).toBe(false)
  })
})

describe('PBES2 p2s', () => {
  it.each([
    ['7 bytes', Buffer.alloc(7, 1).toString('base64url')],
    ['empty', ''],
    ['missing', undefined],
    ['not a string', 12345678],
    ['not base64url', 'AAAAAAAAAAA='],
  ])('refuses p2s %s', async (_, p2s) => {
    await expect(compactDecrypt(withHeader(await token(), { p2s }), PASSWORD, OPTIONS)).rejects.toMatchObject(
      PBES2_INVALID,
    )
  })

  it('accepts exactly 8 bytes (the salt is authenticated, so the changed salt fails decryption instead)', async () => {
    const jwe = withHeader(await token(), { p2s: Buffer.alloc(8, 1).toString('base64url') })
    await expect(compactDecrypt(jwe, PASSWORD, OPTIONS)).rejects.toMatchObject({
      code: 'ERR_JWE_DECRYPTION_FAILED',
    })
  })
})
