import { Buffer } from 'node:buffer'
import { createSecretKey } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { compactSign, compactVerify, importKeyObject, importSecret, Key } from '../../src/index.js'
import { keyPairFor } from '../helpers/unit-keys.js'

describe('importSecret', () => {
  it.each([
    ['HS256', 32],
    ['HS384', 48],
    ['HS512', 64],
  ] as const)('wraps a %s secret of exactly %i bytes', async (alg, bytes) => {
    const key = importSecret(Buffer.alloc(bytes, 7), alg)
    expect(key).toBeInstanceOf(Key)
    expect(key).toMatchObject({ type: 'secret', kty: 'oct', bits: bytes * 8, alg })
    const jws = await compactSign('s', key, { alg })
    await expect(compactVerify(jws, key, { algorithms: [alg] })).resolves.toBeDefined()
  })

  it('accepts a UTF-8 string and uses its bytes', async () => {
    const password = 'correct horse battery staple, 32+'
    const fromString = importSecret(password, 'HS256')
    const fromBytes = importSecret(new TextEncoder().encode(password), 'HS256')
    const jws = await compactSign('s', fromString, { alg: 'HS256' })
    await expect(compactVerify(jws, fromBytes, { algorithms: ['HS256'] })).resolves.toBeDefined()
  })

  it.each([
    ['HS256', 31],
    ['HS384', 47],
    ['HS512', 63],
  ] as const)('refuses a %s secret of %i bytes as ERR_KEY_TOO_SHORT', (alg, bytes) => {
    expect(() => importSecret(Buffer.alloc(bytes, 7), alg)).toThrow(
      expect.objectContaining({ code: 'ERR_KEY_TOO_SHORT' }),
    )
  })

  it('refuses a secret for an asymmetric algorithm', () => {
    expect(() => importSecret(Buffer.alloc(64, 7), 'RS256')).toThrow(
      expect.objectContaining({ code: 'ERR_KEY_ALG_MISMATCH' }),
    )
  })

  it('refuses an algorithm it does not implement', () => {
    expect(() => importSecret(Buffer.alloc(64, 7), 'HS1')).toThrow(
      expect.objectContaining({ code: 'ERR_JOSE_NOT_SUPPORTED' }),
    )
  })

  it('refuses a public key PEM as a secret', async () => {
    const pem = (await keyPairFor('RS256')).publicKey
      .toKeyObject()
      .export({ format: 'pem', type: 'spki' }) as string
    expect(() => importSecret(pem, 'HS256')).toThrow(
      expect.objectContaining({ code: 'ERR_KEY_ASYMMETRIC_AS_SECRET' }),
    )
  })

  it('keeps kid, use and key_ops, and enforces key_ops', async () => {
    const key = importSecret(Buffer.alloc(32, 1), 'HS256', { kid: 'hs', use: 'sig', keyOps: ['verify'] })
    expect(key).toMatchObject({ kid: 'hs', use: 'sig', keyOps: ['verify'], alg: 'HS256' })
    await expect(compactSign('s', key, { alg: 'HS256' })).rejects.toMatchObject({
      code: 'ERR_KEY_USAGE_MISMATCH',
    })
  })

  it('refuses arguments of the wrong type', () => {
    expect(() => importSecret(42 as unknown as string, 'HS256')).toThrow(/"secret"/)
    expect(() => importSecret('x'.repeat(32), undefined as unknown as string)).toThrow(/"alg"/)
  })
})

describe('importKeyObject', () => {
  it('wraps a secret KeyObject, bound to an algorithm when given one', () => {
    const key = importKeyObject(createSecretKey(Buffer.alloc(48, 2)), 'HS384', { kid: 'ko' })
    expect(key).toMatchObject({ type: 'secret', bits: 384, alg: 'HS384', kid: 'ko' })
    expect(importKeyObject(createSecretKey(Buffer.alloc(48, 2))).alg).toBeUndefined()
  })

  it('refuses a KeyObject that does not fit the algorithm', async () => {
    const rsa = (await keyPairFor('RS256')).publicKey.toKeyObject()
    expect(() => importKeyObject(rsa, 'HS256')).toThrow(
      expect.objectContaining({ code: 'ERR_KEY_ALG_MISMATCH' }),
    )
    expect(() => importKeyObject(createSecretKey(Buffer.alloc(16, 2)), 'HS256')).toThrow(
      expect.objectContaining({ code: 'ERR_KEY_TOO_SHORT' }),
    )
  })
})
