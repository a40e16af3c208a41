import { describe, expect, it } from 'vitest'
import { compactSign, compactVerify, flattenedSign, flattenedVerify, verifyJWT } from '../../src/index.js'
import { b64u, forge, forgeSignature } from '../helpers/hostile-tokens.js'
import { secretFor } from '../helpers/unit-keys.js'

const key = secretFor('HS256')
const options = { algorithms: ['HS256'], crit: ['exp-ext'] }

describe('crit (RFC 7515 §4.1.11)', () => {
  it('accepts a critical extension the caller declared, when signing and verifying', async () => {
    const header = { alg: 'HS256', crit: ['exp-ext'], 'exp-ext': 1 }
    const jws = await compactSign('x', key, header, { crit: ['exp-ext'] })
    const { protectedHeader } = await compactVerify(jws, key, options)
    expect(protectedHeader['exp-ext']).toBe(1)
  })

  it('refuses a critical extension the caller did not declare', async () => {
    const jws = await compactSign(
      'x',
      key,
      { alg: 'HS256', crit: ['exp-ext'], 'exp-ext': 1 },
      { crit: ['exp-ext'] },
    )
    await expect(compactVerify(jws, key, { algorithms: ['HS256'] })).rejects.toMatchObject({
      code: 'ERR_JOSE_CRIT_INVALID',
    })
    await expect(compactVerify(jws, key, { algorithms: ['HS256'], crit: ['other'] })).rejects.toMatchObject({
      code: 'ERR_JOSE_CRIT_INVALID',
    })
    await expect(
      compactSign('x', key, { alg: 'HS256', crit: ['exp-ext'], 'exp-ext': 1 }),
    ).rejects.toMatchObject({
      code: 'ERR_JOSE_CRIT_INVALID',
    })
  })

  it.each([
    ['an empty list', { alg: 'HS256', crit: [] }],
    ['a string', { alg: 'HS256', crit: 'exp-ext', 'exp-ext': 1 }],
    ['a duplicate name', { alg: 'HS256', crit: ['exp-ext', 'exp-ext'], 'exp-ext': 1 }],
    ['a non-string name', { alg: 'HS256', crit: [1] }],
    ['an empty name', { alg: 'HS256', crit: [''] }],
    ['a name absent from the header', { alg: 'HS256', crit: ['exp-ext'] }],
    ['the registered name alg', { alg: 'HS256', crit: ['alg'] }],
    ['the registered name kid', { alg: 'HS256', crit: ['kid'], kid: 'k' }],
    ['the registered name crit', { alg: 'HS256', crit: ['crit'] }],
  ])('refuses a crit with %s as ERR_JOSE_CRIT_INVALID', async (_what, header) => {
    const jws = forge(header, 'x', key)
    await expect(
      compactVerify(jws, key, { algorithms: ['HS256'], crit: ['exp-ext', 'alg', 'kid', 'crit', ''] }),
    ).rejects.toMatchObject({
      code: 'ERR_JOSE_CRIT_INVALID',
    })
  })

  it('refuses crit in the unprotected header', async () => {
    const jws = await flattenedSign('x', key, { alg: 'HS256', 'exp-ext': 1 })
    await expect(
      flattenedVerify({ ...jws, header: { crit: ['exp-ext'] } }, key, options),
    ).rejects.toMatchObject({ code: 'ERR_JOSE_CRIT_INVALID' })
    await expect(
      flattenedSign('x', key, { alg: 'HS256', 'exp-ext': 1 }, { crit: ['exp-ext'] }, { crit: ['exp-ext'] }),
    ).rejects.toMatchObject({
      code: 'ERR_JOSE_CRIT_INVALID',
    })
  })

  it('refuses a critical parameter carried in the unprotected header', async () => {
    const protectedPart = b64u(JSON.stringify({ alg: 'HS256', crit: ['exp-ext'] }))
    const payload = b64u('x')
    const signature = b64u(forgeSignature(`${protectedPart}.${payload}`, key, 'HS256'))
    const jws = { protected: protectedPart, header: { 'exp-ext': 1 }, payload, signature }
    await expect(flattenedVerify(jws, key, options)).rejects.toMatchObject({ code: 'ERR_JOSE_CRIT_INVALID' })
  })

  it('applies to JWTs as well', async () => {
    const token = forge({ alg: 'HS256', crit: ['exp-ext'], 'exp-ext': 1 }, { exp: 4102444800 }, key)
    await expect(verifyJWT(token, key, { algorithms: ['HS256'] })).rejects.toMatchObject({
      code: 'ERR_JOSE_CRIT_INVALID',
    })
    await expect(verifyJWT(token, key, { algorithms: ['HS256'], crit: ['exp-ext'] })).resolves.toBeDefined()
  })
})
