import { describe, expect, it, vi } from 'vitest'
import {
  createJWTSigner,
  createJWTVerifier,
  type JOSEHeaderParameters,
  signJWT,
  unsafeDecodeJWT,
  verifyJWT,
} from '../../src/index.js'
import { forge, withSegment } from '../helpers/hostile-tokens.js'
import { ASYMMETRIC_ALGS, keyPairFor, secretFor } from '../helpers/unit-keys.js'

const NOW = 1_893_456_000
const currentDate = new Date(NOW * 1000)

describe('createJWTSigner', () => {
  it.each([...ASYMMETRIC_ALGS, 'HS512'])(
    'signs %s tokens async and sync that verifyJWT accepts',
    async (alg) => {
      const pair =
        alg === 'HS512' ? { privateKey: secretFor(alg), publicKey: secretFor(alg) } : await keyPairFor(alg)
      const sign = createJWTSigner({
        key: pair.privateKey,
        alg,
        issuer: 'iss',
        expiresIn: '5m',
        kid: 'k',
        currentDate,
      })
      const options = { algorithms: [alg], issuer: 'iss', currentDate }
      for (const token of [await sign({ sub: 'a' }), sign.sync({ sub: 'b' })]) {
        const { payload, protectedHeader } = await verifyJWT(token, pair.publicKey, options)
        expect(protectedHeader).toEqual({ alg, typ: 'JWT', kid: 'k' })
        expect(payload).toMatchObject({ iss: 'iss', iat: NOW, exp: NOW + 300 })
      }
    },
  )

  it('produces the same token as signJWT for a deterministic algorithm', async () => {
    const key = secretFor('HS256')
    const options = { alg: 'HS256', audience: ['a', 'b'], subject: 's', expiresIn: 60, currentDate }
    const sign = createJWTSigner({ key, ...options })
    expect(sign.sync({ x: 1 })).toBe(await signJWT({ x: 1 }, key, options))
    expect(await sign({ x: 1 })).toBe(await signJWT({ x: 1 }, key, options))
  })

  it('gives each token a fresh jti when asked', async () => {
    const sign = createJWTSigner({ key: secretFor('HS256'), alg: 'HS256', jti: true })
    expect(unsafeDecodeJWT(sign.sync({})).payload.jti).not.toBe(unsafeDecodeJWT(sign.sync({})).payload.jti)
  })

  it('checks options, key and algorithm once, at creation', async () => {
    const { privateKey, publicKey } = await keyPairFor('ES256')
    expect(() => createJWTSigner(undefined as never)).toThrow(TypeError)
    expect(() => createJWTSigner({ key: privateKey } as never)).toThrow(/"alg"/)
    expect(() => createJWTSigner({ key: privateKey, alg: 'ES256', expiresIn: 'soon' })).toThrow(/"expiresIn"/)
    expect(() => createJWTSigner({ key: privateKey, alg: 'ES384' })).toThrow(
      expect.objectContaining({ code: 'ERR_KEY_ALG_MISMATCH' }),
    )
    expect(() => createJWTSigner({ key: publicKey, alg: 'ES256' })).toThrow(TypeError)
    expect(() => createJWTSigner({ key: privateKey, alg: 'none' })).toThrow(
      expect.objectContaining({ code: 'ERR_JOSE_ALG_NONE' }),
    )
    expect(() =>
      createJWTSigner({ key: secretFor('HS256'), alg: 'HS256', header: { crit: ['x'], x: 1 } }),
    ).toThrow(expect.objectContaining({ code: 'ERR_JOSE_CRIT_INVALID' }))
  })

  it('refuses claims of the wrong shape on each call', async () => {
    const sign = createJWTSigner({ key: secretFor('HS256'), alg: 'HS256' })
    expect(() => sign.sync([] as never)).toThrow(TypeError)
    await expect(sign({ exp: Number.NaN })).rejects.toThrow(TypeError)
  })
})

describe('createJWTVerifier', () => {
  it('verifies async and sync with a fixed key', async () => {
    const { privateKey, publicKey } = await keyPairFor('Ed25519')
    const token = await signJWT({ sub: 's' }, privateKey, { alg: 'Ed25519', expiresIn: 60, currentDate })
    const verify = createJWTVerifier({ key: publicKey, algorithms: ['Ed25519'], subject: 's', currentDate })
    const result = await verify(token)
    expect(result.payload.sub).toBe('s')
    expect(result.key).toBe(publicKey)
    expect(verify.sync(token)).toEqual(result)
  })

  it('calls a resolver with the header and the token; the sync form refuses a promise', async () => {
    const { privateKey, publicKey } = await keyPairFor('ES256')
    const token = await signJWT({}, privateKey, { alg: 'ES256', kid: 'e', expiresIn: 60, currentDate })
    const resolver = vi.fn((header: JOSEHeaderParameters, received: string) => {
      expect(received).toBe(token)
      return header.kid === 'e' ? publicKey : privateKey
    })
    const verify = createJWTVerifier({ key: resolver, algorithms: ['ES256'], currentDate })
    await expect(verify(token)).resolves.toMatchObject({ key: publicKey })
    expect(verify.sync(token).key).toBe(publicKey)
    expect(resolver).toHaveBeenCalledWith({ alg: 'ES256', typ: 'JWT', kid: 'e' }, token)
    const asyncVerify = createJWTVerifier({ key: async () => publicKey, algorithms: ['ES256'], currentDate })
    await expect(asyncVerify(token)).resolves.toBeDefined()
    expect(() => asyncVerify.sync(token)).toThrow(TypeError)
  })

  it('applies every claim check on every call', async () => {
    const key = secretFor('HS256')
    const verify = createJWTVerifier({ key, algorithms: ['HS256'], issuer: 'i', audience: 'a', currentDate })
    const good = await signJWT({}, key, {
      alg: 'HS256',
      issuer: 'i',
      audience: 'a',
      expiresIn: 60,
      currentDate,
    })
    const badIss = await signJWT({}, key, {
      alg: 'HS256',
      issuer: 'x',
      audience: 'a',
      expiresIn: 60,
      currentDate,
    })
    const expired = await signJWT({}, key, {
      alg: 'HS256',
      issuer: 'i',
      audience: 'a',
      expiresIn: 0,
      currentDate,
    })
    await expect(verify(good)).resolves.toBeDefined()
    await expect(verify(badIss)).rejects.toMatchObject({ code: 'ERR_JWT_ISSUER_MISMATCH' })
    expect(() => verify.sync(expired)).toThrow(expect.objectContaining({ code: 'ERR_JWT_EXPIRED' }))
  })

  it('still checks the signature of a token whose header it has seen', async () => {
    const key = secretFor('HS256')
    const verify = createJWTVerifier({ key, algorithms: ['HS256'], currentDate })
    const good = await signJWT({ n: 1 }, key, { alg: 'HS256', expiresIn: 60, currentDate })
    const other = await signJWT({ n: 2 }, key, { alg: 'HS256', expiresIn: 60, currentDate })
    await expect(verify(good)).resolves.toBeDefined()
    const spliced = withSegment(good, 1, other.split('.')[1] as string)
    await expect(verify(spliced)).rejects.toMatchObject({ code: 'ERR_JWS_SIGNATURE_INVALID' })
    expect(() => verify.sync(spliced)).toThrow(expect.objectContaining({ code: 'ERR_JWS_SIGNATURE_INVALID' }))
  })

  it('refuses a disallowed algorithm on every call, cached header or not', async () => {
    const key = secretFor('HS256')
    const verify = createJWTVerifier({ key, algorithms: ['HS384'], currentDate })
    const token = forge({ alg: 'HS256' }, { exp: NOW + 60 }, key)
    await expect(verify(token)).rejects.toMatchObject({ code: 'ERR_JOSE_ALG_NOT_ALLOWED' })
    await expect(verify(token)).rejects.toMatchObject({ code: 'ERR_JOSE_ALG_NOT_ALLOWED' })
  })

  it('checks its options and key at creation', () => {
    const key = secretFor('HS256')
    expect(() => createJWTVerifier(undefined as never)).toThrow(TypeError)
    expect(() => createJWTVerifier({ key } as never)).toThrow(/"algorithms"/)
    expect(() => createJWTVerifier({ key, algorithms: ['HS256'], clockTolerance: -1 })).toThrow(
      /"clockTolerance"/,
    )
    expect(() => createJWTVerifier({ key: 42 as never, algorithms: ['HS256'] })).toThrow(TypeError)
  })

  it('bounds token length (16 KiB by default, configurable)', async () => {
    const key = secretFor('HS256')
    const big = await signJWT({ pad: 'x'.repeat(20_000) }, key, { alg: 'HS256', expiresIn: 60, currentDate })
    await expect(createJWTVerifier({ key, algorithms: ['HS256'], currentDate })(big)).rejects.toMatchObject({
      code: 'ERR_JOSE_TOKEN_TOO_LARGE',
    })
    const roomy = createJWTVerifier({ key, algorithms: ['HS256'], currentDate, maxTokenLength: 64 * 1024 })
    await expect(roomy(big)).resolves.toBeDefined()
  })
})
