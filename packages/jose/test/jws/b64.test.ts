import { Buffer } from 'node:buffer'
import { describe, expect, it } from 'vitest'
import {
  compactSign,
  compactVerify,
  flattenedSign,
  flattenedVerify,
  generalSign,
  generalVerify,
  importJWK,
  verifyJWT,
} from '../../src/index.js'
import { b64u, forge } from '../helpers/hostile-tokens.js'
import { RFC7515_A1, secretFor, text } from '../helpers/unit-keys.js'

// RFC 7797 §4: the payload "$.02" signed with the RFC 7515 A.1 key, with and without base64url encoding.
const RFC7797_ENCODED = 'eyJhbGciOiJIUzI1NiJ9.JC4wMg.5mvfOroL-g7HyqJoozehmsaqmvTYGEq5jTI1gVvoEoQ'
const RFC7797_UNENCODED_DETACHED =
  'eyJhbGciOiJIUzI1NiIsImI2NCI6ZmFsc2UsImNyaXQiOlsiYjY0Il19..A5dxf2s96_n5FLueVuW1Z_vh161FwXZC4YLPff6dmDY'
const UNENCODED = { alg: 'HS256', b64: false, crit: ['b64'] }

describe('RFC 7797 unencoded payloads', () => {
  it('reproduces the §4.1 and §4.2 examples exactly', async () => {
    const key = await importJWK(RFC7515_A1.jwk, 'HS256')
    expect(await compactSign('$.02', key, { alg: 'HS256' })).toBe(RFC7797_ENCODED)
    expect(await compactSign('$.02', key, UNENCODED, { detached: true })).toBe(RFC7797_UNENCODED_DETACHED)
    const { payload, protectedHeader } = await compactVerify(RFC7797_UNENCODED_DETACHED, key, {
      algorithms: ['HS256'],
      detachedPayload: '$.02',
    })
    expect(text(payload)).toBe('$.02')
    expect(protectedHeader).toEqual(UNENCODED)
  })

  it('carries an unencoded payload without a "." inline in the compact form', async () => {
    const key = secretFor('HS256')
    const jws = await compactSign('plain-text', key, UNENCODED)
    expect(jws.split('.')[1]).toBe('plain-text')
    expect(text((await compactVerify(jws, key, { algorithms: ['HS256'] })).payload)).toBe('plain-text')
  })

  it('refuses an inline compact payload containing "."', async () => {
    await expect(compactSign('$.02', secretFor('HS256'), UNENCODED)).rejects.toThrow(TypeError)
  })

  it('signs unencoded flattened and general JWS', async () => {
    const key = secretFor('HS256')
    const flat = await flattenedSign('{"a":1}', key, UNENCODED)
    expect(flat.payload).toBe('{"a":1}')
    expect(text((await flattenedVerify(flat, key, { algorithms: ['HS256'] })).payload)).toBe('{"a":1}')
    const general = await generalSign('$.02', [{ key, protectedHeader: UNENCODED }])
    expect(general.payload).toBe('$.02')
    expect(text((await generalVerify(general, key, { algorithms: ['HS256'] })).payload)).toBe('$.02')
  })

  it('signs over different bytes when b64 is false, so the two forms do not verify as each other', async () => {
    const key = secretFor('HS256')
    const unencoded = await flattenedSign('abc', key, UNENCODED)
    const encodedPayload = { ...unencoded, payload: b64u('abc') }
    await expect(flattenedVerify(encodedPayload, key, { algorithms: ['HS256'] })).rejects.toMatchObject({
      code: 'ERR_JWS_SIGNATURE_INVALID',
    })
  })

  it('accepts an explicit b64: true listed in crit', async () => {
    const key = secretFor('HS256')
    const jws = await compactSign('x', key, { alg: 'HS256', b64: true, crit: ['b64'] })
    expect(jws.split('.')[1]).toBe(b64u('x'))
    await expect(compactVerify(jws, key, { algorithms: ['HS256'] })).resolves.toBeDefined()
  })

  it('requires b64 to be critical, a boolean and protected', async () => {
    const key = secretFor('HS256')
    await expect(compactSign('x', key, { alg: 'HS256', b64: false })).rejects.toMatchObject({
      code: 'ERR_JOSE_CRIT_INVALID',
    })
    const notCritical = forge({ alg: 'HS256', b64: false }, 'x', key)
    await expect(compactVerify(notCritical, key, { algorithms: ['HS256'] })).rejects.toMatchObject({
      code: 'ERR_JOSE_CRIT_INVALID',
    })
    const notBoolean = forge({ alg: 'HS256', b64: 'false', crit: ['b64'] }, 'x', key)
    await expect(compactVerify(notBoolean, key, { algorithms: ['HS256'] })).rejects.toMatchObject({
      code: 'ERR_JOSE_INVALID_HEADER',
    })
    await expect(flattenedSign('x', key, { alg: 'HS256' }, { b64: false })).rejects.toMatchObject({
      code: 'ERR_JOSE_INVALID_HEADER',
    })
  })

  it('is refused for JWTs, whose claims must be base64url encoded', async () => {
    const key = secretFor('HS256')
    const payload = JSON.stringify({ exp: Math.floor(Date.now() / 1000) + 60 })
    const token = `${b64u(JSON.stringify(UNENCODED))}.${b64u(payload)}.${forge(UNENCODED, payload, key).split('.')[2]}`
    await expect(verifyJWT(token, key, { algorithms: ['HS256'] })).rejects.toMatchObject({
      code: 'ERR_JWT_INVALID',
    })
  })

  it('keeps the payload bytes exactly, including non-ASCII', async () => {
    const key = secretFor('HS256')
    const flat = await flattenedSign('żółw', key, UNENCODED)
    const { payload } = await flattenedVerify(flat, key, { algorithms: ['HS256'] })
    expect(Buffer.from(payload).toString('utf8')).toBe('żółw')
  })
})
