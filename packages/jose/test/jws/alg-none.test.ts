/**
 * Unsecured JWS (`alg: "none"`) are never accepted by a verify function, whatever the letter case, the
 * signature segment, or the allowlist; only decodeUnsecuredJWT reads them (ERR_JOSE_ALG_NONE).
 */
import { describe, expect, it, vi } from 'vitest'
import {
  compactVerify,
  compactVerifySync,
  createJWTVerifier,
  flattenedVerify,
  generalVerify,
  verifyJWT,
  verifyJWTSync,
} from '../../src/index.js'
import { b64u, forgeSignature } from '../helpers/hostile-tokens.js'
import { secretFor } from '../helpers/unit-keys.js'

const key = secretFor('HS256')
const claims = b64u(JSON.stringify({ sub: 'admin', exp: 4102444800 }))
const algNone = { code: 'ERR_JOSE_ALG_NONE' }
const SPELLINGS = ['none', 'None', 'NONE', 'nOnE', 'NoNe']

describe.each(SPELLINGS)('alg %s', (alg) => {
  const header = b64u(JSON.stringify({ alg, typ: 'JWT' }))
  const unsigned = `${header}.${claims}.`
  const withSignature = `${header}.${claims}.${b64u(forgeSignature(`${header}.${claims}`, key, 'HS256'))}`

  it.each([
    ['an empty signature', unsigned],
    ['a signature', withSignature],
  ])('is refused with %s by every compact and JWT verify function', async (_what, token) => {
    const resolver = vi.fn(() => key)
    const options = { algorithms: ['HS256'] }
    await expect(verifyJWT(token, key, options)).rejects.toMatchObject(algNone)
    await expect(verifyJWT(token, resolver, options)).rejects.toMatchObject(algNone)
    expect(() => verifyJWTSync(token, key, options)).toThrow(expect.objectContaining(algNone))
    await expect(compactVerify(token, key, options)).rejects.toMatchObject(algNone)
    expect(() => compactVerifySync(token, resolver, options)).toThrow(expect.objectContaining(algNone))
    const verifier = createJWTVerifier({ key, ...options })
    await expect(verifier(token)).rejects.toMatchObject(algNone)
    expect(() => verifier.sync(token)).toThrow(expect.objectContaining(algNone))
    const resolving = createJWTVerifier({ key: resolver, ...options })
    await expect(resolving(token)).rejects.toMatchObject(algNone)
    expect(resolver).not.toHaveBeenCalled()
  })

  it('is refused in the protected or unprotected header of flattened and general JWS', async () => {
    const options = { algorithms: ['HS256'] }
    const signature = withSignature.split('.')[2] as string
    await expect(
      flattenedVerify({ protected: header, payload: claims, signature: '' }, key, options),
    ).rejects.toMatchObject(algNone)
    await expect(
      flattenedVerify({ header: { alg }, payload: claims, signature }, key, options),
    ).rejects.toMatchObject(algNone)
    await expect(
      generalVerify({ payload: claims, signatures: [{ protected: header, signature: '' }] }, key, options),
    ).rejects.toMatchObject(algNone)
    await expect(
      generalVerify({ payload: claims, signatures: [{ header: { alg }, signature }] }, key, options),
    ).rejects.toMatchObject(algNone)
  })

  it('is never the signature that lets a general JWS through', async () => {
    const error = await generalVerify(
      {
        payload: claims,
        signatures: [
          { protected: header, signature: '' },
          { header: { alg }, signature: '' },
        ],
      },
      key,
      { algorithms: ['HS256'] },
    ).catch((e) => e)
    expect(error).toMatchObject(algNone)
    expect(error.cause.errors).toEqual([expect.objectContaining(algNone), expect.objectContaining(algNone)])
  })

  it('cannot be put in an allowlist', async () => {
    const options = { algorithms: ['HS256', alg] }
    await expect(verifyJWT(unsigned, key, options)).rejects.toThrow(TypeError)
    await expect(verifyJWT(unsigned, key, options)).rejects.toThrow(/"algorithms"/)
    await expect(compactVerify(unsigned, key, options)).rejects.toThrow(TypeError)
    await expect(
      flattenedVerify({ protected: header, payload: claims, signature: '' }, key, options),
    ).rejects.toThrow(TypeError)
    await expect(
      generalVerify({ payload: claims, signatures: [{ protected: header, signature: '' }] }, key, options),
    ).rejects.toThrow(TypeError)
    expect(() => createJWTVerifier({ key, ...options })).toThrow(TypeError)
    expect(() => verifyJWTSync(unsigned, key, { algorithms: [alg] })).toThrow(/"algorithms"/)
  })
})
