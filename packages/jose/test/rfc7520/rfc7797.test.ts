/**
 * RFC 7797 (unencoded payload, `b64: false`), loaded from ../shared/vectors/rfc7520/rfc7797. Each
 * example is used only through `input`, `signing.protected` and `output`: in both files some of the
 * intermediate `signing` members do not match the output (noted where it matters).
 */
import { Buffer } from 'node:buffer'
import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  compactSign,
  compactSignSync,
  compactVerify,
  flattenedSign,
  flattenedVerify,
  generalSign,
  generalVerify,
  importJWKSync,
} from '../../src/index.js'
import {
  b64u,
  flattenedOutput,
  fromB64u,
  generalOutput,
  loadJWSVector,
  required,
  tamperSignature,
  utf8,
} from '../helpers/vectors.js'

describe('RFC 7797 §4.2 b64:false with the JSON serializations ("$.02")', () => {
  const vector = loadJWSVector('rfc7797/4.2.hmac-sha2_b64_false.json')
  const key = importJWKSync(vector.input.key, 'HS256')
  const { payload } = vector.input
  const intended = required(vector.signing.protected, 'protected header')
  const jsonFlat = required(vector.output.json_flat, 'flattened JSON output')
  const json = required(vector.output.json, 'general JSON output')
  const given = fromB64u(required(jsonFlat.protected, 'flattened protected header'))

  it('intends b64:false listed in crit, but its outputs protect {"alg":"HS256","b64":false} without crit', () => {
    expect(intended).toEqual({ alg: 'HS256', b64: false, crit: ['b64'] })
    expect(JSON.parse(given)).toEqual({ alg: 'HS256', b64: false })
    expect(json.signatures[0]?.protected).toBe(jsonFlat.protected)
    expect(jsonFlat.payload).toBe(payload)
  })

  it('is refused for that reason alone: its MAC over the unencoded signing input is correct', () => {
    const signingInput = `${jsonFlat.protected}.${payload}`
    expect(vector.signing['sig-input']).toBe(signingInput)
    const mac = createHmac('sha256', Buffer.from(required(vector.input.key.k, 'k'), 'base64url'))
    expect(mac.update(signingInput).digest('base64url')).toBe(jsonFlat.signature)
  })

  it('refuses the given flattened and general outputs with ERR_JOSE_CRIT_INVALID: b64 must be critical', async () => {
    await expect(
      flattenedVerify(flattenedOutput(vector.output), key, { algorithms: ['HS256'] }),
    ).rejects.toMatchObject({
      code: 'ERR_JOSE_CRIT_INVALID',
    })
    await expect(
      generalVerify(generalOutput(vector.output), key, { algorithms: ['HS256'] }),
    ).rejects.toMatchObject({
      code: 'ERR_JOSE_CRIT_INVALID',
    })
  })

  it('refuses to sign with b64:false outside crit (the header the outputs carry)', async () => {
    await expect(flattenedSign(payload, key, { alg: 'HS256', b64: false })).rejects.toMatchObject({
      code: 'ERR_JOSE_CRIT_INVALID',
    })
  })

  it('signs the intended header as flattened JSON: the payload travels unencoded and verifies', async () => {
    const jws = await flattenedSign(payload, key, intended)
    expect(jws.payload).toBe('$.02')
    expect(jws.protected).toBe(b64u(JSON.stringify(intended)))
    const result = await flattenedVerify(jws, key, { algorithms: ['HS256'] })
    expect(utf8(result.payload)).toBe(payload)
    expect(result.protectedHeader).toEqual(intended)
    await expect(
      flattenedVerify({ ...jws, payload: '$.03' }, key, { algorithms: ['HS256'] }),
    ).rejects.toMatchObject({ code: 'ERR_JWS_SIGNATURE_INVALID' })
  })

  it('signs the intended header as general JSON that verifies', async () => {
    const jws = await generalSign(payload, [{ key, protectedHeader: intended }])
    expect(jws.payload).toBe('$.02')
    const result = await generalVerify(jws, key, { algorithms: ['HS256'] })
    expect(utf8(result.payload)).toBe(payload)
  })

  it('is "JSON only": "$.02" contains "." so the compact form needs detached content', async () => {
    await expect(compactSign(payload, key, intended)).rejects.toThrow(TypeError)
    const detached = await compactSign(payload, key, intended, { detached: true })
    expect(detached.split('.')[1]).toBe('')
    const result = await compactVerify(detached, key, { algorithms: ['HS256'], detachedPayload: payload })
    expect(utf8(result.payload)).toBe(payload)
  })
})

describe('RFC 7797 §5.2 b64:false with the compact serialization ("This is the payload string!")', () => {
  const vector = loadJWSVector('rfc7797/hmac-sha2_b64_false.json')
  const key = importJWKSync(vector.input.key, 'HS256')
  const { payload } = vector.input
  const protectedHeader = required(vector.signing.protected, 'protected header')
  const compact = required(vector.output.compact, 'compact output')
  const jsonFlat = required(vector.output.json_flat, 'flattened JSON output')
  const json = required(vector.output.json, 'general JSON output')

  it('is the HS256 b64:false example with b64 listed in crit and the payload unencoded', () => {
    expect(protectedHeader).toEqual({ alg: 'HS256', b64: false, crit: ['b64'] })
    expect(compact.split('.')[1]).toBe(payload)
  })

  it('reproduces the compact serialization exactly (async and sync)', async () => {
    expect(await compactSign(payload, key, protectedHeader)).toBe(compact)
    expect(compactSignSync(payload, key, protectedHeader)).toBe(compact)
  })

  it('reproduces the flattened JSON serialization exactly', async () => {
    expect(await flattenedSign(payload, key, protectedHeader)).toEqual(jsonFlat)
  })

  it('reproduces the general JSON serialization exactly', async () => {
    expect(await generalSign(payload, [{ key, protectedHeader }])).toEqual(json)
  })

  it('verifies the given compact serialization', async () => {
    const result = await compactVerify(compact, key, { algorithms: ['HS256'] })
    expect(utf8(result.payload)).toBe(payload)
    expect(result.protectedHeader).toEqual(protectedHeader)
  })

  it('verifies the given flattened and general JSON serializations', async () => {
    const flat = await flattenedVerify(flattenedOutput(vector.output), key, { algorithms: ['HS256'] })
    expect(utf8(flat.payload)).toBe(payload)
    const all = await generalVerify(generalOutput(vector.output), key, { algorithms: ['HS256'] })
    expect(utf8(all.payload)).toBe(payload)
    expect(all.signatureIndex).toBe(0)
  })

  it('refuses the given outputs with a changed payload or signature', async () => {
    const [head, , signature] = compact.split('.') as [string, string, string]
    await expect(
      compactVerify(`${head}.This is the payload string?.${signature}`, key, { algorithms: ['HS256'] }),
    ).rejects.toMatchObject({ code: 'ERR_JWS_SIGNATURE_INVALID' })
    await expect(
      compactVerify(`${head}.${b64u(payload)}.${signature}`, key, { algorithms: ['HS256'] }),
    ).rejects.toMatchObject({ code: 'ERR_JWS_SIGNATURE_INVALID' })
    await expect(
      flattenedVerify(
        { ...flattenedOutput(vector.output), signature: tamperSignature(jsonFlat.signature) },
        key,
        {
          algorithms: ['HS256'],
        },
      ),
    ).rejects.toMatchObject({ code: 'ERR_JWS_SIGNATURE_INVALID' })
  })

  it('refuses b64 moved out of the protected header', async () => {
    const withoutB64 = b64u(JSON.stringify({ alg: 'HS256' }))
    const moved = { payload, protected: withoutB64, header: { b64: false }, signature: jsonFlat.signature }
    await expect(flattenedVerify(moved, key, { algorithms: ['HS256'] })).rejects.toMatchObject({
      code: 'ERR_JOSE_INVALID_HEADER',
    })
  })
})
