/**
 * JSON.parse keeps the last of duplicate member names; another parser may keep the first. A header
 * `{"alg":"HS256","alg":"none"}` or claims with two `sub` members mean different things to different
 * readers, so RFC 7515 §5.2 lets (and we choose to) refuse them: ERR_JOSE_INVALID_JSON.
 */
import { describe, expect, it } from 'vitest'
import {
  compactVerify,
  createJWTVerifier,
  decodeProtectedHeader,
  flattenedVerify,
  generalVerify,
  unsafeDecodeJWT,
  verifyJWT,
} from '../../src/index.js'
import { b64u, forge, forgeSignature } from '../helpers/hostile-tokens.js'
import { secretFor } from '../helpers/unit-keys.js'

const key = secretFor('HS256')
const exp = 4102444800
const options = { algorithms: ['HS256'] }
const invalidJSON = { code: 'ERR_JOSE_INVALID_JSON' }

const HEADERS = [
  ['alg twice, none last', '{"alg":"HS256","alg":"none"}'],
  ['alg twice, none first', '{"alg":"none","alg":"HS256"}'],
  ['kid twice', '{"alg":"HS256","kid":"a","kid":"b"}'],
  ['a duplicate spelled with an escape', '{"alg":"HS256","\\u0061lg":"HS256"}'],
  ['a duplicate inside a nested object', '{"alg":"HS256","jwk":{"kty":"oct","kty":"RSA"}}'],
  ['__proto__ twice', '{"alg":"HS256","__proto__":{},"__proto__":{}}'],
  ['crit twice', '{"alg":"HS256","crit":["b64"],"b64":true,"crit":[]}'],
  ['duplicates with whitespace around them', '{ "alg" : "HS256" , "alg" : "HS256" }'],
] as const

const PAYLOADS = [
  ['sub twice', `{"sub":"user","exp":${exp},"sub":"admin"}`],
  ['exp twice', `{"exp":1,"exp":${exp}}`],
  ['a duplicate spelled with an escape', `{"sub":"user","s\\u0075b":"admin","exp":${exp}}`],
  ['a duplicate inside a nested claim', `{"exp":${exp},"cnf":{"jkt":"a","jkt":"b"}}`],
  ['a duplicate in an object inside an array', `{"exp":${exp},"roles":[{"r":"a","r":"b"}]}`],
] as const

describe('duplicate JSON member names', () => {
  it.each(HEADERS)('are refused in the protected header: %s', async (_what, header) => {
    const token = forge(header, { exp }, key, 'HS256')
    await expect(verifyJWT(token, key, options)).rejects.toMatchObject(invalidJSON)
    await expect(compactVerify(token, key, options)).rejects.toMatchObject(invalidJSON)
    await expect(createJWTVerifier({ key, ...options })(token)).rejects.toMatchObject(invalidJSON)
    expect(() => decodeProtectedHeader(token)).toThrow(expect.objectContaining(invalidJSON))
    const [p, payload, signature] = token.split('.') as [string, string, string]
    await expect(flattenedVerify({ protected: p, payload, signature }, key, options)).rejects.toMatchObject(
      invalidJSON,
    )
    await expect(
      generalVerify({ payload, signatures: [{ protected: p, signature }] }, key, options),
    ).rejects.toMatchObject(invalidJSON)
  })

  it.each(PAYLOADS)('are refused in the claims set: %s', async (_what, payload) => {
    const token = forge({ alg: 'HS256' }, payload, key)
    await expect(verifyJWT(token, key, options)).rejects.toMatchObject(invalidJSON)
    await expect(createJWTVerifier({ key, ...options })(token)).rejects.toMatchObject(invalidJSON)
    expect(() => unsafeDecodeJWT(token)).toThrow(expect.objectContaining(invalidJSON))
  })

  it('are refused in JSON-serialized JWS text', async () => {
    const protectedPart = b64u('{"alg":"HS256"}')
    const payload = b64u('x')
    const signature = b64u(forgeSignature(`${protectedPart}.${payload}`, key, 'HS256'))
    const flat = `{"protected":"${protectedPart}","payload":"${payload}","signature":"${signature}","payload":"${b64u('y')}"}`
    await expect(flattenedVerify(flat, key, options)).rejects.toMatchObject(invalidJSON)
    const general = `{"payload":"${payload}","signatures":[{"protected":"${protectedPart}","signature":"${signature}","signature":"AA"}]}`
    await expect(generalVerify(general, key, options)).rejects.toMatchObject(invalidJSON)
  })

  it('are not confused by colons, quotes and backslashes inside strings', async () => {
    const payload = `{"exp":${exp},"a":"x:y\\":z","b":"\\\\","c":{"d":":"},"e":[":",{"f":"\\\\\\":"}]}`
    const token = forge({ alg: 'HS256', kid: 'a:b"c' }, payload, key)
    const { payload: claims } = await verifyJWT(token, key, options)
    expect(claims).toEqual(JSON.parse(payload))
  })

  it('are refused in the unprotected header of a JSON JWS given as text', async () => {
    const protectedPart = b64u('{"alg":"HS256"}')
    const payload = b64u('x')
    const signature = b64u(forgeSignature(`${protectedPart}.${payload}`, key, 'HS256'))
    const flat = `{"protected":"${protectedPart}","header":{"kid":"a","kid":"b"},"payload":"${payload}","signature":"${signature}"}`
    await expect(flattenedVerify(flat, key, options)).rejects.toMatchObject(invalidJSON)
  })
  it('refuses deeply nested JSON without overflowing the stack', async () => {
    const deep = `{"exp":${exp},"x":${'['.repeat(100_000)}${']'.repeat(100_000)}}`
    const token = forge({ alg: 'HS256' }, deep, key)
    await expect(verifyJWT(token, key, { ...options, maxTokenLength: 1024 * 1024 })).rejects.toMatchObject(
      invalidJSON,
    )
    const nestedObjects = `{"exp":${exp},"x":${'{"a":'.repeat(100)}1${'}'.repeat(100)}}`
    await expect(verifyJWT(forge({ alg: 'HS256' }, nestedObjects, key), key, options)).rejects.toMatchObject(
      invalidJSON,
    )
    const shallow = `{"exp":${exp},"x":${'{"a":'.repeat(30)}1${'}'.repeat(30)}}`
    await expect(verifyJWT(forge({ alg: 'HS256' }, shallow, key), key, options)).resolves.toBeDefined()
  })
})
