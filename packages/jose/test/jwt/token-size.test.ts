/** Size limits: every verify function refuses oversize input before decoding it (ERR_JOSE_TOKEN_TOO_LARGE). */
import { describe, expect, it } from 'vitest'
import {
  compactSign,
  compactVerify,
  compactVerifySync,
  createJWTVerifier,
  decodeUnsecuredJWT,
  flattenedSign,
  flattenedVerify,
  generalSign,
  generalVerify,
  signJWT,
  verifyJWT,
  verifyJWTSync,
} from '../../src/index.js'
import { secretFor } from '../helpers/unit-keys.js'

const key = secretFor('HS256')
const tooLarge = { code: 'ERR_JOSE_TOKEN_TOO_LARGE' }
const KiB = 1024

describe('token size limit', () => {
  it('refuses JWTs over 16 KiB by default, in every JWT verify function', async () => {
    const exp = Math.floor(Date.now() / 1000) + 60
    const big = await signJWT({ exp, pad: 'x'.repeat(16 * KiB) }, key, { alg: 'HS256' })
    expect(big.length).toBeGreaterThan(16 * KiB)
    const options = { algorithms: ['HS256'] }
    await expect(verifyJWT(big, key, options)).rejects.toMatchObject(tooLarge)
    expect(() => verifyJWTSync(big, key, options)).toThrow(expect.objectContaining(tooLarge))
    await expect(createJWTVerifier({ key, ...options })(big)).rejects.toMatchObject(tooLarge)
    await expect(verifyJWT(big, key, { ...options, maxTokenLength: big.length })).resolves.toBeDefined()
    await expect(verifyJWT(big, key, { ...options, maxTokenLength: big.length - 1 })).rejects.toMatchObject(
      tooLarge,
    )
  })

  it('checks the length before anything else: an oversize garbage token is TOO_LARGE, not malformed', async () => {
    const garbage = '!'.repeat(16 * KiB + 1)
    await expect(verifyJWT(garbage, key, { algorithms: ['HS256'] })).rejects.toMatchObject(tooLarge)
    await expect(
      compactVerify(`${'!'.repeat(1024 * KiB)}..`, key, { algorithms: ['HS256'] }),
    ).rejects.toMatchObject(tooLarge)
  })

  it('refuses compact JWS over 1 MiB by default, and honours maxTokenLength', async () => {
    const big = await compactSign('x'.repeat(800 * KiB), key, { alg: 'HS256' })
    expect(big.length).toBeGreaterThan(1024 * KiB)
    await expect(compactVerify(big, key, { algorithms: ['HS256'] })).rejects.toMatchObject(tooLarge)
    expect(() => compactVerifySync(big, key, { algorithms: ['HS256'] })).toThrow(
      expect.objectContaining(tooLarge),
    )
    await expect(
      compactVerify(big, key, { algorithms: ['HS256'], maxTokenLength: 2048 * KiB }),
    ).resolves.toBeDefined()
    const small = await compactSign('hello', key, { alg: 'HS256' })
    await expect(
      compactVerify(small, key, { algorithms: ['HS256'], maxTokenLength: small.length }),
    ).resolves.toBeDefined()
    await expect(
      compactVerify(small, key, { algorithms: ['HS256'], maxTokenLength: small.length - 1 }),
    ).rejects.toMatchObject(tooLarge)
  })

  it('bounds flattened and general JWS, as text and as objects', async () => {
    const flat = await flattenedSign('x'.repeat(2 * KiB), key, { alg: 'HS256' })
    const general = await generalSign('x'.repeat(2 * KiB), [{ key, protectedHeader: { alg: 'HS256' } }])
    const options = { algorithms: ['HS256'], maxTokenLength: KiB }
    await expect(flattenedVerify(flat, key, options)).rejects.toMatchObject(tooLarge)
    await expect(flattenedVerify(JSON.stringify(flat), key, options)).rejects.toMatchObject(tooLarge)
    await expect(generalVerify(general, key, options)).rejects.toMatchObject(tooLarge)
    await expect(generalVerify(JSON.stringify(general), key, options)).rejects.toMatchObject(tooLarge)
    await expect(flattenedVerify(flat, key, { algorithms: ['HS256'] })).resolves.toBeDefined()
  })

  it('bounds unsecured JWTs', () => {
    expect(() => decodeUnsecuredJWT(`eyJhbGciOiJub25lIn0.${'A'.repeat(16 * KiB)}.`)).toThrow(
      expect.objectContaining(tooLarge),
    )
  })

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '100'])(
    'refuses maxTokenLength %s as a TypeError',
    async (maxTokenLength) => {
      const options = { algorithms: ['HS256'], maxTokenLength: maxTokenLength as number }
      await expect(verifyJWT('a.b.c', key, options)).rejects.toThrow(/"maxTokenLength"/)
      await expect(compactVerify('a.b.c', key, options)).rejects.toThrow(TypeError)
      expect(() => createJWTVerifier({ key, ...options })).toThrow(/"maxTokenLength"/)
    },
  )
})
