/**
 * RFC 7797 (unencoded payload, `b64: false`), loaded from ../shared/vectors/rfc7520/rfc7797. Both files
 * match the RFC: `b64` is listed in `crit` in the protected header the outputs carry, and every
 * intermediate `signing` member (protected_b64u, sig-input, sig) agrees with the outputs.
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

const hmacSha256 = (k: string, input: string) =>
  createHmac('sha256', Buffer.from(k, 'base64url')).update(input).digest('base64url')

describe('RFC 7797 §4.2 b64:false with the JSON serializations ("$.02")', () => {
  const vector = loadJWSVector('rfc7797/4.2.hmac-sha2_b64_false.json')
  const key = importJWKSync(vector.input.key, 'HS256')
  const { payload } = vector.input
  const protectedHeader = required(vector.signing.protected, 'protected header')
  const protectedB64u = required(vector.signing.protected_b64u, 'protected_b64u')
  const jsonFlat = required(vector.output.json_flat, 'flattened JSON output')
  const json = required(vector.output.json, 'general JSON output')

  it('protects {"alg":"HS256","b64":false,"crit":["b64"]}: b64 is critical in the header the outputs carry', () => {
    expect(protectedHeader).toEqual({ alg: 'HS256', b64: false, crit: ['b64'] })
    expect(JSON.parse(fromB64u(protectedB64u))).toEqual(protectedHeader)
    expect(jsonFlat.protected).toBe(protectedB64u)
    expect(json.signatures[0]?.protected).toBe(protectedB64u)
    expect(jsonFlat.payload).toBe(payload)
    expect(json.payload).toBe(payload)
  })

  it('signs the unencoded signing input: its MAC is the given signature', () => {
    const signingInput = `${protectedB64u}.${payload}`
    expect(vector.signing['sig-input']).toBe(signingInput)
    const mac = hmacSha256(required(vector.input.key.k, 'k'), signingInput)
    expect(mac).toBe(vector.signing.sig)
    expect(jsonFlat.signature).toBe(vector.signing.sig)
    expect(json.signatures[0]?.signature).toBe(vector.signing.sig)
  })

  it('reproduces the flattened JSON serialization exactly', async () => {
    expect(await flattenedSign(payload, key, protectedHeader)).toEqual(jsonFlat)
  })

  it('reproduces the general JSON serialization exactly', async () => {
    expect(await generalSign(payload, [{ key, protectedHeader }])).toEqual(json)
  })

  it('verifies the given flattened output, as an object and as JSON text', async () => {
    for (const jws of [flattenedOutput(vector.output), JSON.stringify(jsonFlat)]) {
      const result = await flattenedVerify(jws, key, { algorithms: ['HS256'] })
      expect(utf8(result.payload)).toBe(payload)
      expect(result.protectedHeader).toEqual(protectedHeader)
      expect(result.unprotectedHeader).toBeUndefined()
    }
  })

  it('verifies the given general output', async () => {
    const result = await generalVerify(generalOutput(vector.output), key, { algorithms: ['HS256'] })
    expect(utf8(result.payload)).toBe(payload)
    expect(result.protectedHeader).toEqual(protectedHeader)
    expect(result.signatureIndex).toBe(0)
  })

  it('refuses the given outputs with a changed payload or signature', async () => {
    const flat = flattenedOutput(vector.output)
    await expect(
      flattenedVerify({ ...flat, payload: '$.03' }, key, { algorithms: ['HS256'] }),
    ).rejects.toMatchObject({ code: 'ERR_JWS_SIGNATURE_INVALID' })
    // The same payload base64url-encoded is another signing input under b64:false.
    await expect(
      flattenedVerify({ ...flat, payload: b64u(payload) }, key, { algorithms: ['HS256'] }),
    ).rejects.toMatchObject({ code: 'ERR_JWS_SIGNATURE_INVALID' })
    await expect(
      flattenedVerify({ ...flat, signature: tamperSignature(flat.signature) }, key, {
        algorithms: ['HS256'],
      }),
    ).rejects.toMatchObject({ code: 'ERR_JWS_SIGNATURE_INVALID' })
  })

  it('is "JSON only": "$.02" contains "." so the compact form needs detached content', async () => {
    await expect(compactSign(payload, key, protectedHeader)).rejects.toThrow(TypeError)
    const detached = await compactSign(payload, key, protectedHeader, { detached: true })
    expect(detached).toBe(`${protectedB64u}..${vector.signing.sig}`)
    const result = await compactVerify(detached, key, { algorithms: ['HS256'], detachedPayload: payload })
    expect(utf8(result.payload)).toBe(payload)
  })
})

describe('b64:false without crit (the header of the draft these vectors once came from)', () => {
  const vector = loadJWSVector('rfc7797/4.2.hmac-sha2_b64_false.json')
  const key = importJWKSync(vector.input.key, 'HS256')
  const { payload } = vector.input
  // Built here, with a correct MAC, so that the missing crit is the only fault.
  const header = b64u(JSON.stringify({ alg: 'HS256', b64: false }))
  const signature = hmacSha256(required(vector.input.key.k, 'k'), `${header}.${payload}`)
  const flat = { payload, protected: header, signature }

  it('is refused in the flattened and general serializations with ERR_JOSE_CRIT_INVALID', async () => {
    await expect(flattenedVerify(flat, key, { algorithms: ['HS256'] })).rejects.toMatchObject({
      code: 'ERR_JOSE_CRIT_INVALID',
    })
    await expect(flattenedVerify(JSON.stringify(flat), key, { algorithms: ['HS256'] })).rejects.toMatchObject(
      {
        code: 'ERR_JOSE_CRIT_INVALID',
      },
    )
    await expect(
      generalVerify({ payload, signatures: [{ protected: header, signature }] }, key, {
        algorithms: ['HS256'],
      }),
    ).rejects.toMatchObject({ code: 'ERR_JOSE_CRIT_INVALID' })
  })

  it('is refused in the compact serialization with ERR_JOSE_CRIT_INVALID', async () => {
    await expect(
      compactVerify(`${header}..${signature}`, key, { algorithms: ['HS256'], detachedPayload: payload }),
    ).rejects.toMatchObject({ code: 'ERR_JOSE_CRIT_INVALID' })
  })

  it('is refused when signing', async () => {
    await expect(flattenedSign(payload, key, { alg: 'HS256', b64: false })).rejects.toMatchObject({
      code: 'ERR_JOSE_CRIT_INVALID',
    })
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

  it('has a protected_b64u that is valid JSON: the protected header, as every output carries it', () => {
    const protectedB64u = required(vector.signing.protected_b64u, 'protected_b64u')
    expect(JSON.parse(fromB64u(protectedB64u))).toEqual(protectedHeader)
    expect(compact.split('.')[0]).toBe(protectedB64u)
    expect(jsonFlat.protected).toBe(protectedB64u)
    expect(json.signatures[0]?.protected).toBe(protectedB64u)
    expect(vector.signing['sig-input']).toBe(`${protectedB64u}.${payload}`)
    expect(hmacSha256(required(vector.input.key.k, 'k'), `${protectedB64u}.${payload}`)).toBe(
      vector.signing.sig,
    )
    expect(compact.split('.')[2]).toBe(vector.signing.sig)
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
