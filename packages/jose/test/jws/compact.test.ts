import { Buffer } from 'node:buffer'
import { describe, expect, it, vi } from 'vitest'
import {
  compactSign,
  compactSignSync,
  compactVerify,
  compactVerifySync,
  importJWK,
  type JOSEHeaderParameters,
  Key,
  SIGNING_ALGORITHMS,
} from '../../src/index.js'
import { ASYMMETRIC_ALGS, HMAC_ALGS, keyPairFor, RFC7515_A1, secretFor, text } from '../helpers/unit-keys.js'

describe('compactSign / compactVerify', () => {
  it.each(ASYMMETRIC_ALGS)('round-trips a %s JWS, async and sync', async (alg) => {
    const { privateKey, publicKey } = await keyPairFor(alg)
    const jws = await compactSign('hello', privateKey, { alg, kid: 'k' })
    expect(jws.split('.')).toHaveLength(3)
    const result = await compactVerify(jws, publicKey, { algorithms: [alg] })
    expect(text(result.payload)).toBe('hello')
    expect(result.protectedHeader).toEqual({ alg, kid: 'k' })
    expect(result.key).toBe(publicKey)
    const sync = compactSignSync(new Uint8Array([1, 2, 3]), privateKey, { alg })
    expect([...compactVerifySync(sync, publicKey, { algorithms: [alg] }).payload]).toEqual([1, 2, 3])
  })

  it.each(HMAC_ALGS)('produces deterministic %s signatures, async and sync alike', async (alg) => {
    const key = secretFor(alg)
    const jws = await compactSign('hmac', key, { alg })
    expect(compactSignSync('hmac', key, { alg })).toBe(jws)
    await expect(compactVerify(jws, key, { algorithms: [alg] })).resolves.toMatchObject({ key })
  })

  it('verifies the RFC 7515 A.1 example', async () => {
    const key = await importJWK(RFC7515_A1.jwk, 'HS256')
    const { payload, protectedHeader } = await compactVerify(RFC7515_A1.jws, key, { algorithms: ['HS256'] })
    expect(protectedHeader).toEqual({ typ: 'JWT', alg: 'HS256' })
    expect(JSON.parse(text(payload))).toEqual({
      iss: 'joe',
      exp: 1300819380,
      'http://example.com/is_root': true,
    })
  })

  it('lets a private key verify its own signature', async () => {
    const { privateKey } = await keyPairFor('ES256')
    const jws = await compactSign('x', privateKey, { alg: 'ES256' })
    await expect(compactVerify(jws, privateKey, { algorithms: ['ES256'] })).resolves.toBeDefined()
  })

  it('refuses a tampered payload, header or signature, and the wrong key', async () => {
    const { privateKey, publicKey } = await keyPairFor('ES256')
    const other = await keyPairFor('ES256', 'other')
    const jws = await compactSign('original', privateKey, { alg: 'ES256' })
    const [h, p, s] = jws.split('.') as [string, string, string]
    const options = { algorithms: ['ES256'] }
    const otherPayload = Buffer.from('modified').toString('base64url')
    const otherHeader = Buffer.from('{"alg":"ES256","kid":"x"}').toString('base64url')
    await expect(compactVerify(`${h}.${otherPayload}.${s}`, publicKey, options)).rejects.toMatchObject({
      code: 'ERR_JWS_SIGNATURE_INVALID',
    })
    await expect(compactVerify(`${otherHeader}.${p}.${s}`, publicKey, options)).rejects.toMatchObject({
      code: 'ERR_JWS_SIGNATURE_INVALID',
    })
    const flipped = Buffer.from(s, 'base64url')
    flipped[10] = (flipped[10] as number) ^ 1
    await expect(
      compactVerify(`${h}.${p}.${flipped.toString('base64url')}`, publicKey, options),
    ).rejects.toMatchObject({
      code: 'ERR_JWS_SIGNATURE_INVALID',
    })
    await expect(compactVerify(jws, other.publicKey, options)).rejects.toMatchObject({
      code: 'ERR_JWS_SIGNATURE_INVALID',
    })
    expect(() => compactVerifySync(jws, other.publicKey, options)).toThrow(
      expect.objectContaining({ code: 'ERR_JWS_SIGNATURE_INVALID' }),
    )
  })

  it('refuses an algorithm outside the allowlist before touching the key', async () => {
    const { privateKey } = await keyPairFor('ES256')
    const jws = await compactSign('x', privateKey, { alg: 'ES256' })
    const resolver = vi.fn(() => privateKey)
    await expect(compactVerify(jws, resolver, { algorithms: ['ES384', 'RS256'] })).rejects.toMatchObject({
      code: 'ERR_JOSE_ALG_NOT_ALLOWED',
    })
    expect(resolver).not.toHaveBeenCalled()
  })

  it('calls a resolver with the protected header and the token, sync or async', async () => {
    const { privateKey, publicKey } = await keyPairFor('Ed25519')
    const jws = await compactSign('x', privateKey, { alg: 'Ed25519', kid: 'ed' })
    const resolver = vi.fn((header: JOSEHeaderParameters, token: string) => {
      expect(token).toBe(jws)
      return header.kid === 'ed' ? publicKey : privateKey
    })
    await expect(compactVerify(jws, resolver, { algorithms: ['Ed25519'] })).resolves.toMatchObject({
      key: publicKey,
    })
    expect(resolver).toHaveBeenCalledWith({ alg: 'Ed25519', kid: 'ed' }, jws)
    await expect(
      compactVerify(jws, async () => publicKey, { algorithms: ['Ed25519'] }),
    ).resolves.toBeDefined()
    expect(compactVerifySync(jws, () => publicKey, { algorithms: ['Ed25519'] }).key).toBe(publicKey)
    expect(() => compactVerifySync(jws, async () => publicKey, { algorithms: ['Ed25519'] })).toThrow(
      TypeError,
    )
  })

  it.each([
    ['undefined', undefined],
    ['null', null],
    ['a number', 42],
    ['an object', { kty: 'EC' }],
  ])('fails with ERR_JOSE_KEY_RESOLUTION_FAILED when the resolver returns %s', async (_what, value) => {
    const { privateKey } = await keyPairFor('ES256')
    const jws = await compactSign('x', privateKey, { alg: 'ES256' })
    await expect(compactVerify(jws, () => value as never, { algorithms: ['ES256'] })).rejects.toMatchObject({
      code: 'ERR_JOSE_KEY_RESOLUTION_FAILED',
    })
  })

  it('signs and verifies a detached payload (RFC 7515 Appendix F)', async () => {
    const key = secretFor('HS256')
    const jws = await compactSign('detached', key, { alg: 'HS256' }, { detached: true })
    expect(jws).toMatch(/^[\w-]+\.\.[\w-]+$/)
    const { payload } = await compactVerify(jws, key, { algorithms: ['HS256'], detachedPayload: 'detached' })
    expect(text(payload)).toBe('detached')
    await expect(
      compactVerify(jws, key, { algorithms: ['HS256'], detachedPayload: new TextEncoder().encode('other') }),
    ).rejects.toMatchObject({ code: 'ERR_JWS_SIGNATURE_INVALID' })
    const attached = await compactSign('detached', key, { alg: 'HS256' })
    await expect(
      compactVerify(attached, key, { algorithms: ['HS256'], detachedPayload: 'detached' }),
    ).rejects.toMatchObject({ code: 'ERR_JWS_INVALID' })
  })

  it('refuses a compact JWS without a protected header', async () => {
    const key = secretFor('HS256')
    const jws = await compactSign('x', key, { alg: 'HS256' })
    await expect(
      compactVerify(`.${jws.split('.').slice(1).join('.')}`, key, { algorithms: ['HS256'] }),
    ).rejects.toMatchObject({ code: 'ERR_JWS_INVALID' })
  })

  it('refuses a JWS that is not a string', async () => {
    await expect(
      compactVerify(42 as unknown as string, secretFor('HS256'), { algorithms: ['HS256'] }),
    ).rejects.toMatchObject({
      code: 'ERR_JWS_INVALID',
    })
  })

  describe('options', () => {
    const key = secretFor('HS256')
    const jws = compactSignSync('x', key, { alg: 'HS256' })

    it.each([
      ['no options', undefined, '"options"'],
      ['no allowlist', {}, '"algorithms"'],
      ['an empty allowlist', { algorithms: [] }, '"algorithms"'],
      ['a string allowlist', { algorithms: 'HS256' }, '"algorithms"'],
      ['a non-string algorithm', { algorithms: [256] }, '"algorithms"'],
      ['none in the allowlist', { algorithms: ['HS256', 'none'] }, '"algorithms"'],
      ['an unknown algorithm', { algorithms: ['HS257'] }, '"algorithms"'],
      ['a bad crit', { algorithms: ['HS256'], crit: 'b64' }, '"crit"'],
      ['a zero maxTokenLength', { algorithms: ['HS256'], maxTokenLength: 0 }, '"maxTokenLength"'],
      ['a fractional maxTokenLength', { algorithms: ['HS256'], maxTokenLength: 1.5 }, '"maxTokenLength"'],
    ])('throws a TypeError for %s', async (_what, options, name) => {
      await expect(compactVerify(jws, key, options as never)).rejects.toThrow(TypeError)
      await expect(compactVerify(jws, key, options as never)).rejects.toThrow(name)
      expect(() => compactVerifySync(jws, key, options as never)).toThrow(TypeError)
    })
  })

  describe('signing errors', () => {
    it('requires a protected header with alg', async () => {
      const key = secretFor('HS256')
      await expect(compactSign('x', key, undefined as never)).rejects.toThrow(TypeError)
      await expect(compactSign('x', key, {} as never)).rejects.toThrow(/"alg"/)
    })

    it('refuses alg none and unsupported algorithms', async () => {
      const key = secretFor('HS256')
      await expect(compactSign('x', key, { alg: 'none' })).rejects.toMatchObject({
        code: 'ERR_JOSE_ALG_NONE',
      })
      await expect(compactSign('x', key, { alg: 'HS1' })).rejects.toMatchObject({
        code: 'ERR_JOSE_NOT_SUPPORTED',
      })
    })

    it('refuses to sign with a public key', async () => {
      const { publicKey } = await keyPairFor('ES256')
      await expect(compactSign('x', publicKey, { alg: 'ES256' })).rejects.toThrow(TypeError)
    })

    it('refuses a payload that is neither bytes nor a string', async () => {
      await expect(compactSign({} as never, secretFor('HS256'), { alg: 'HS256' })).rejects.toThrow(
        /"payload"/,
      )
    })

    it('refuses a header member of the wrong type', async () => {
      await expect(
        compactSign('x', secretFor('HS256'), { alg: 'HS256', kid: 5 as never }),
      ).rejects.toMatchObject({
        code: 'ERR_JOSE_INVALID_HEADER',
      })
    })
  })

  it('lists every algorithm it implements', () => {
    expect([...SIGNING_ALGORITHMS].sort()).toEqual([...ASYMMETRIC_ALGS, ...HMAC_ALGS, 'EdDSA'].sort())
  })

  it('returns a Key even when given a KeyObject', async () => {
    const { privateKey, publicKey } = await keyPairFor('ES256')
    const jws = await compactSign('x', privateKey.toKeyObject(), { alg: 'ES256' })
    const { key } = await compactVerify(jws, publicKey.toKeyObject(), { algorithms: ['ES256'] })
    expect(key).toBeInstanceOf(Key)
  })
})
