/**
 * Headers must be JSON objects with members of their registered types (a number `kid` must never reach a
 * key lookup), and a compact JWS has exactly three parts: anything else, a JWE included, is refused.
 */
import { Buffer } from 'node:buffer'
import { describe, expect, it, vi } from 'vitest'
import {
  compactVerify,
  compactVerifySync,
  createJWTVerifier,
  flattenedSign,
  flattenedVerify,
  generalVerify,
  verifyJWT,
  verifyJWTSync,
} from '../../src/index.js'
import { b64u, forge, forgeSignature } from '../helpers/hostile-tokens.js'
import { secretFor } from '../helpers/unit-keys.js'

const key = secretFor('HS256')
const exp = 4102444800
const options = { algorithms: ['HS256'] }

/** Runs every compact verify function on `token` and expects `code` from each, with no key lookup. */
async function refusedEverywhere(token: string, code: string): Promise<void> {
  const resolver = vi.fn(() => key)
  const expected = expect.objectContaining({ code })
  await expect(verifyJWT(token, resolver, options)).rejects.toMatchObject({ code })
  expect(() => verifyJWTSync(token, resolver, options)).toThrow(expected)
  await expect(compactVerify(token, resolver, options)).rejects.toMatchObject({ code })
  expect(() => compactVerifySync(token, resolver, options)).toThrow(expected)
  const verifier = createJWTVerifier({ key: resolver, ...options })
  await expect(verifier(token)).rejects.toMatchObject({ code })
  expect(() => verifier.sync(token)).toThrow(expected)
  expect(resolver).not.toHaveBeenCalled()
}

describe('the protected header must be a JSON object', () => {
  it.each([
    ['an array', '["HS256"]'],
    ['an array holding the header', '[{"alg":"HS256"}]'],
    ['a string', '"HS256"'],
    ['a number', '256'],
    ['null', 'null'],
    ['true', 'true'],
  ])('refuses %s as ERR_JOSE_INVALID_HEADER', async (_what, header) => {
    await refusedEverywhere(forge(header, { exp }, key, 'HS256'), 'ERR_JOSE_INVALID_HEADER')
  })

  it.each([
    ['truncated JSON', '{"alg":"HS256"'],
    ['JSON with a trailing comma', '{"alg":"HS256",}'],
    ['a lone replacement character', '\uFFFD'],
  ])('refuses %s as ERR_JOSE_INVALID_JSON', async (_what, header) => {
    await refusedEverywhere(forge(header, { exp }, key, 'HS256'), 'ERR_JOSE_INVALID_JSON')
  })

  it('refuses a header whose bytes are not UTF-8', async () => {
    const input = `${b64u(new Uint8Array([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x3a, 0x31, 0x7d]))}.${b64u('{}')}`
    await refusedEverywhere(`${input}.${b64u(forgeSignature(input, key, 'HS256'))}`, 'ERR_JOSE_INVALID_JSON')
  })

  it.each([
    ['an array', ['kid']],
    ['a string', 'kid'],
    ['null', null],
    ['a number', 5],
  ])('refuses an unprotected header that is %s as ERR_JOSE_INVALID_HEADER', async (_what, header) => {
    const jws = await flattenedSign('x', key, { alg: 'HS256' })
    await expect(flattenedVerify({ ...jws, header: header as never }, key, options)).rejects.toMatchObject({
      code: 'ERR_JOSE_INVALID_HEADER',
    })
    await expect(
      generalVerify(
        {
          payload: jws.payload,
          signatures: [
            { protected: jws.protected as string, header: header as never, signature: jws.signature },
          ],
        },
        key,
        options,
      ),
    ).rejects.toMatchObject({ code: 'ERR_JOSE_INVALID_HEADER' })
  })
})

describe('header members must have their registered types', () => {
  it.each([
    ['kid', 5],
    ['kid', { id: 'a' }],
    ['kid', ['a']],
    ['kid', null],
    ['kid', true],
    ['alg', 256],
    ['alg', ['HS256']],
    ['alg', null],
    ['typ', 1],
    ['cty', {}],
    ['jku', ['https://a']],
    ['x5u', 1],
    ['x5t', 1],
    ['x5t#S256', {}],
  ])('refuses %s = %j as ERR_JOSE_INVALID_HEADER', async (name, value) => {
    const header = name === 'alg' ? { alg: value } : { alg: 'HS256', [name]: value }
    await refusedEverywhere(forge(header, { exp }, key, 'HS256'), 'ERR_JOSE_INVALID_HEADER')
  })

  it('refuses a header without alg', async () => {
    await refusedEverywhere(forge({ typ: 'JWT' }, { exp }, key, 'HS256'), 'ERR_JOSE_INVALID_HEADER')
  })

  it('refuses a non-string kid in the unprotected header', async () => {
    const jws = await flattenedSign('x', key, { alg: 'HS256' })
    await expect(
      flattenedVerify({ ...jws, header: { kid: 5 as never } }, key, options),
    ).rejects.toMatchObject({
      code: 'ERR_JOSE_INVALID_HEADER',
    })
  })
})

describe('a compact JWS has exactly three parts', () => {
  const token = forge({ alg: 'HS256' }, { exp }, key)
  const [h, p, s] = token.split('.') as [string, string, string]

  it.each([
    ['no dot', `${h}${p}${s}`],
    ['one dot', `${h}.${p}`],
    ['an empty string', ''],
    ['four parts', `${h}.${p}.${s}.${s}`],
    ['a trailing dot', `${token}.`],
    ['a leading dot', `.${token}`],
    ['six parts', `${token}.a.b.c`],
    ['only dots', '....'],
    ['a doubled dot', `${h}..${p}.${s}`],
    ['an empty header segment', `.${p}.${s}`],
  ])('refuses %s as ERR_JWS_INVALID', async (_what, hostile) => {
    await refusedEverywhere(hostile, 'ERR_JWS_INVALID')
  })

  it('refuses a five-part JWE given to a JWS function, saying it is a JWE', async () => {
    const jwe = `${b64u('{"alg":"dir","enc":"A256GCM"}')}..${b64u('iv-iv-iv-iv')}.${b64u('ciphertext')}.${b64u('tag-tag-tag-tag!')}`
    await refusedEverywhere(jwe, 'ERR_JWS_INVALID')
    await expect(compactVerify(jwe, key, options)).rejects.toThrow(/JWE/)
    await expect(
      flattenedVerify({ protected: h, ciphertext: 'AA', iv: 'AA', tag: 'AA' } as never, key, options),
    ).rejects.toMatchObject({
      code: 'ERR_JWS_INVALID',
    })
  })

  it.each([
    ['a number', 42],
    ['an object', { token: 'a.b.c' }],
    ['a Buffer', Buffer.from('a.b.c')],
    ['undefined', undefined],
  ])('refuses a token that is %s as ERR_JWS_INVALID', async (_what, value) => {
    await refusedEverywhere(value as never, 'ERR_JWS_INVALID')
  })
})
