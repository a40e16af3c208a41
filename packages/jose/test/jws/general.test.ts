import { Buffer } from 'node:buffer'
import { describe, expect, it, vi } from 'vitest'
import { type GeneralJWS, generalSign, generalVerify, type JOSEHeaderParameters } from '../../src/index.js'
import { keyPairFor, secretFor, text } from '../helpers/unit-keys.js'

async function threeSigners() {
  const es = await keyPairFor('ES256')
  const ed = await keyPairFor('Ed25519')
  const hs = secretFor('HS256')
  const jws = await generalSign('several', [
    { key: es.privateKey, protectedHeader: { alg: 'ES256' }, unprotectedHeader: { kid: 'es' } },
    { key: ed.privateKey, protectedHeader: { alg: 'Ed25519' }, unprotectedHeader: { kid: 'ed' } },
    { key: hs, protectedHeader: { alg: 'HS256', kid: 'hs' } },
  ])
  return { jws, es, ed, hs }
}

describe('generalSign / generalVerify', () => {
  it('signs one payload with several keys', async () => {
    const { jws } = await threeSigners()
    expect(jws.payload).toBe(Buffer.from('several').toString('base64url'))
    expect(jws.signatures).toHaveLength(3)
    expect(jws.signatures[0]?.header).toEqual({ kid: 'es' })
    expect(jws.signatures[2]?.header).toBeUndefined()
  })

  it('says which signature verified', async () => {
    const { jws, es, ed, hs } = await threeSigners()
    const all = ['ES256', 'Ed25519', 'HS256']
    expect((await generalVerify(jws, es.publicKey, { algorithms: all })).signatureIndex).toBe(0)
    const byEd = await generalVerify(jws, ed.publicKey, { algorithms: all })
    expect(byEd.signatureIndex).toBe(1)
    expect(text(byEd.payload)).toBe('several')
    expect(byEd.protectedHeader).toEqual({ alg: 'Ed25519' })
    expect(byEd.unprotectedHeader).toEqual({ kid: 'ed' })
    const byHs = await generalVerify(JSON.stringify(jws), hs, { algorithms: ['HS256'] })
    expect(byHs.signatureIndex).toBe(2)
    expect(byHs.key).toBe(hs)
  })

  it('skips signatures whose algorithm is not allowed', async () => {
    const { jws, es } = await threeSigners()
    const resolver = vi.fn(() => es.publicKey)
    await expect(generalVerify(jws, resolver, { algorithms: ['Ed25519'] })).rejects.toMatchObject({
      code: 'ERR_JWS_SIGNATURE_INVALID',
    })
    // The ES256 and HS256 signatures were refused by the allowlist before any key was looked up.
    expect(resolver).toHaveBeenCalledTimes(1)
    expect(resolver).toHaveBeenCalledWith({ alg: 'Ed25519', kid: 'ed' }, expect.anything())
  })

  it('resolves a key per signature from the header', async () => {
    const { jws, ed } = await threeSigners()
    const resolver = vi.fn((header: JOSEHeaderParameters, token: GeneralJWS) => {
      expect(token.signatures).toHaveLength(3)
      if (header.kid === 'ed') return ed.publicKey
      return Promise.resolve(ed.privateKey)
    })
    const result = await generalVerify(jws, resolver, { algorithms: ['ES256', 'Ed25519'] })
    expect(result.signatureIndex).toBe(1)
  })

  it('reports every failure when no signature verifies', async () => {
    const { jws } = await threeSigners()
    const stranger = await keyPairFor('ES256', 'stranger')
    const error = await generalVerify(jws, stranger.publicKey, { algorithms: ['ES256', 'Ed25519'] }).catch(
      (e) => e,
    )
    expect(error).toMatchObject({ code: 'ERR_JWS_SIGNATURE_INVALID' })
    expect(error.cause).toBeInstanceOf(AggregateError)
    expect(error.cause.errors.map((e: { code: string }) => e.code)).toEqual([
      'ERR_JWS_SIGNATURE_INVALID',
      'ERR_KEY_ALG_MISMATCH',
      'ERR_JOSE_ALG_NOT_ALLOWED',
    ])
  })

  it('throws the only failure as itself when there is one signature', async () => {
    const hs = secretFor('HS256')
    const jws = await generalSign('x', [{ key: hs, protectedHeader: { alg: 'HS256' } }])
    await expect(generalVerify(jws, hs, { algorithms: ['HS384'] })).rejects.toMatchObject({
      code: 'ERR_JOSE_ALG_NOT_ALLOWED',
    })
  })

  it('limits the number of signatures', async () => {
    const hs = secretFor('HS256')
    const jws = await generalSign(
      'x',
      Array.from({ length: 4 }, () => ({ key: hs, protectedHeader: { alg: 'HS256' } })),
    )
    await expect(generalVerify(jws, hs, { algorithms: ['HS256'], maxSignatures: 3 })).rejects.toMatchObject({
      code: 'ERR_JWS_INVALID',
    })
    await expect(generalVerify(jws, hs, { algorithms: ['HS256'], maxSignatures: 4 })).resolves.toBeDefined()
    await expect(generalVerify(jws, hs, { algorithms: ['HS256'], maxSignatures: 0 })).rejects.toThrow(
      /"maxSignatures"/,
    )
    const many = { payload: jws.payload, signatures: Array.from({ length: 11 }, () => jws.signatures[0]) }
    await expect(generalVerify(many as GeneralJWS, hs, { algorithms: ['HS256'] })).rejects.toMatchObject({
      code: 'ERR_JWS_INVALID',
    })
  })

  it.each([
    ['no signatures member', { payload: '' }],
    ['an empty signatures array', { payload: '', signatures: [] }],
    ['signatures as an object', { payload: '', signatures: {} }],
    ['a signature that is not an object', { payload: '', signatures: ['x'] }],
  ])('refuses %s as ERR_JWS_INVALID', async (_what, jws) => {
    await expect(
      generalVerify(jws as never, secretFor('HS256'), { algorithms: ['HS256'] }),
    ).rejects.toMatchObject({
      code: 'ERR_JWS_INVALID',
    })
  })

  it('refuses signers that disagree on b64', async () => {
    const hs = secretFor('HS256')
    await expect(
      generalSign('x', [
        { key: hs, protectedHeader: { alg: 'HS256' } },
        { key: hs, protectedHeader: { alg: 'HS256', b64: false, crit: ['b64'] } },
      ]),
    ).rejects.toMatchObject({ code: 'ERR_JOSE_INVALID_HEADER' })
  })

  it('refuses an empty list of signers', async () => {
    await expect(generalSign('x', [])).rejects.toThrow(/"signers"/)
  })
})
