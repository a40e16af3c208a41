/**
 * RFC 7520 §4: the cookbook's JWS examples, loaded from ../shared/vectors/rfc7520/jws. Deterministic
 * examples (RSA v1.5, HMAC) are reproduced byte for byte in every serialization the example gives;
 * every given output is verified in every serialization; each example also proves it can fail.
 */
import { Buffer } from 'node:buffer'
import { describe, expect, it } from 'vitest'
import {
  compactSign,
  compactSignSync,
  compactVerify,
  compactVerifySync,
  type FlattenedJWS,
  flattenedSign,
  flattenedVerify,
  type GeneralJWS,
  type GeneralSigner,
  generalSign,
  generalVerify,
  importJWKSync,
  type JWK,
  type Key,
} from '../../src/index.js'
import {
  b64u,
  flattenedOutput,
  generalOutput,
  type JWSVector,
  loadJWSVector,
  loadMultiJWSVector,
  publicJWK,
  required,
  tamperSignature,
  utf8,
} from '../helpers/vectors.js'

/** The private key and a public key made from the vector's public members only. */
function keysOf(jwk: JWK, alg: string): { privateKey: Key; publicKey: Key } {
  return {
    privateKey: importJWKSync(jwk, alg),
    publicKey: importJWKSync(jwk.kty === 'oct' ? jwk : publicJWK(jwk), alg),
  }
}

/** Verification of the example's outputs, shared by the single-signature examples. */
function verifiesGivenOutputs(vector: JWSVector, verifyKey: () => Key): void {
  const { alg, payload } = vector.input
  const algorithms = [alg]
  const header = { ...vector.signing.protected, ...vector.signing.unprotected }

  if (vector.output.compact !== undefined) {
    const compact = vector.output.compact
    it('verifies the given compact serialization', async () => {
      const result = await compactVerify(compact, verifyKey(), { algorithms })
      expect(utf8(result.payload)).toBe(payload)
      expect(result.protectedHeader).toEqual(vector.signing.protected)
      expect(utf8(compactVerifySync(compact, verifyKey(), { algorithms }).payload)).toBe(payload)
    })

    it('refuses the compact serialization with a changed signature or payload', async () => {
      const [head, body, signature] = compact.split('.') as [string, string, string]
      await expect(
        compactVerify(`${head}.${body}.${tamperSignature(signature)}`, verifyKey(), { algorithms }),
      ).rejects.toMatchObject({ code: 'ERR_JWS_SIGNATURE_INVALID' })
      await expect(
        compactVerify(`${head}.${b64u(`${payload} `)}.${signature}`, verifyKey(), { algorithms }),
      ).rejects.toMatchObject({ code: 'ERR_JWS_SIGNATURE_INVALID' })
    })
  }

  it('verifies the given flattened JSON serialization, as an object and as JSON text', async () => {
    const jws = flattenedOutput(vector.output)
    for (const input of [jws, JSON.stringify(jws)]) {
      const result = await flattenedVerify(input, verifyKey(), { algorithms })
      expect(utf8(result.payload)).toBe(payload)
      expect({ ...result.protectedHeader, ...result.unprotectedHeader }).toEqual(header)
    }
  })

  it('verifies the given general JSON serialization', async () => {
    const result = await generalVerify(generalOutput(vector.output), verifyKey(), { algorithms })
    expect(utf8(result.payload)).toBe(payload)
    expect(result.signatureIndex).toBe(0)
    expect(result.protectedHeader).toEqual(vector.signing.protected)
    expect(result.unprotectedHeader).toEqual(vector.signing.unprotected)
  })

  it('refuses the JSON serializations with a changed signature', async () => {
    const jws = flattenedOutput(vector.output)
    await expect(
      flattenedVerify({ ...jws, signature: tamperSignature(jws.signature) }, verifyKey(), { algorithms }),
    ).rejects.toMatchObject({ code: 'ERR_JWS_SIGNATURE_INVALID' })
    const { signatures, ...rest } = generalOutput(vector.output)
    const [first] = signatures as [GeneralJWS['signatures'][number]]
    await expect(
      generalVerify(
        { ...rest, signatures: [{ ...first, signature: tamperSignature(first.signature) }] },
        verifyKey(),
        { algorithms },
      ),
    ).rejects.toMatchObject({ code: 'ERR_JWS_SIGNATURE_INVALID' })
  })

  it(`refuses the given output when ${alg} is not in the allowlist`, async () => {
    const other = alg === 'HS256' ? 'HS512' : 'HS256'
    await expect(
      flattenedVerify(flattenedOutput(vector.output), verifyKey(), { algorithms: [other] }),
    ).rejects.toMatchObject({ code: 'ERR_JOSE_ALG_NOT_ALLOWED' })
  })
}

/** Exact reproduction of a deterministic example with a protected header only. */
function reproducesOutputs(vector: JWSVector, signKey: () => Key): void {
  const { payload } = vector.input
  const protectedHeader = required(vector.signing.protected, 'protected header')

  it('encodes the protected header exactly as the example does', async () => {
    const jws = await flattenedSign(payload, signKey(), protectedHeader)
    expect(jws.protected).toBe(vector.signing.protected_b64u)
    expect(`${jws.protected}.${jws.payload}`).toBe(vector.signing['sig-input'])
  })

  it('reproduces the compact serialization exactly (async and sync)', async () => {
    const expected = required(vector.output.compact, 'compact output')
    expect(await compactSign(payload, signKey(), protectedHeader)).toBe(expected)
    expect(compactSignSync(payload, signKey(), protectedHeader)).toBe(expected)
  })

  it('reproduces the flattened JSON serialization exactly', async () => {
    expect(await flattenedSign(payload, signKey(), protectedHeader)).toEqual(vector.output.json_flat)
  })

  it('reproduces the general JSON serialization exactly', async () => {
    expect(await generalSign(payload, [{ key: signKey(), protectedHeader }])).toEqual(vector.output.json)
  })
}

/** A fresh signature by the example's key verifies under its public key (randomized algorithms). */
function signsAfresh(vector: JWSVector, signKey: () => Key, verifyKey: () => Key): void {
  const { alg, payload } = vector.input
  const protectedHeader = required(vector.signing.protected, 'protected header')

  it('signs afresh with the example key: a different signature that verifies', async () => {
    const compact = await compactSign(payload, signKey(), protectedHeader)
    const expected = required(vector.output.compact, 'compact output')
    expect(compact.slice(0, compact.lastIndexOf('.'))).toBe(expected.slice(0, expected.lastIndexOf('.')))
    expect(compact).not.toBe(expected)
    const result = await compactVerify(compact, verifyKey(), { algorithms: [alg] })
    expect(utf8(result.payload)).toBe(payload)
    const jws = await flattenedSign(payload, signKey(), protectedHeader)
    expect(jws.protected).toBe(vector.signing.protected_b64u)
    await expect(flattenedVerify(jws, verifyKey(), { algorithms: [alg] })).resolves.toMatchObject({
      protectedHeader,
    })
  })
}

describe('RFC 7520 §4.1 RSA v1.5 signature', () => {
  const vector = loadJWSVector('jws/4_1.rsa_v15_signature.json')
  const keys = keysOf(vector.input.key, 'RS256')
  it('is the RS256 example', () => {
    expect([vector.input.alg, vector.reproducible]).toEqual(['RS256', true])
    expect(keys.publicKey).toMatchObject({ type: 'public', bits: 2048 })
  })
  reproducesOutputs(vector, () => keys.privateKey)
  verifiesGivenOutputs(vector, () => keys.publicKey)
})

describe('RFC 7520 §4.2 RSA-PSS signature', () => {
  const vector = loadJWSVector('jws/4_2.rsa-pss_signature.json')
  const keys = keysOf(vector.input.key, 'PS384')
  it('is the PS384 example', () => {
    expect(vector.input.alg).toBe('PS384')
  })
  verifiesGivenOutputs(vector, () => keys.publicKey)
  signsAfresh(
    vector,
    () => keys.privateKey,
    () => keys.publicKey,
  )

  it('refuses the PS384 signature under PS256 or PS512 (the hash and salt length are part of the algorithm)', async () => {
    const [, body, signature] = required(vector.output.compact, 'compact output').split('.') as [
      string,
      string,
      string,
    ]
    for (const alg of ['PS256', 'PS512']) {
      const relabelled = `${b64u(JSON.stringify({ ...vector.signing.protected, alg }))}.${body}.${signature}`
      const key = importJWKSync(publicJWK(vector.input.key), alg)
      await expect(compactVerify(relabelled, key, { algorithms: [alg] })).rejects.toMatchObject({
        code: 'ERR_JWS_SIGNATURE_INVALID',
      })
    }
  })
})

describe('RFC 7520 §4.3 ECDSA signature', () => {
  const vector = loadJWSVector('jws/4_3.ecdsa_signature.json')
  const keys = keysOf(vector.input.key, 'ES512')
  it('is the ES512 example on P-521', () => {
    expect(vector.input.alg).toBe('ES512')
    expect(keys.publicKey).toMatchObject({ kty: 'EC', crv: 'P-521' })
  })
  verifiesGivenOutputs(vector, () => keys.publicKey)
  signsAfresh(
    vector,
    () => keys.privateKey,
    () => keys.publicKey,
  )

  it('refuses the signature cut or padded away from the 132-byte r||s length', async () => {
    const jws = flattenedOutput(vector.output)
    const raw = Buffer.from(jws.signature, 'base64url')
    expect(raw.length).toBe(132)
    for (const wrong of [raw.subarray(1), Buffer.concat([Buffer.alloc(1), raw])]) {
      await expect(
        flattenedVerify({ ...jws, signature: wrong.toString('base64url') }, keys.publicKey, {
          algorithms: ['ES512'],
        }),
      ).rejects.toMatchObject({ code: 'ERR_JWS_SIGNATURE_INVALID' })
    }
  })
})

describe('RFC 7520 §4.4 HMAC-SHA2 integrity protection', () => {
  const vector = loadJWSVector('jws/4_4.hmac-sha2_integrity_protection.json')
  const key = importJWKSync(vector.input.key, 'HS256')
  it('is the HS256 example', () => {
    expect([vector.input.alg, vector.reproducible]).toEqual(['HS256', true])
  })
  reproducesOutputs(vector, () => key)
  verifiesGivenOutputs(vector, () => key)

  it('refuses the MAC under a different secret of the same length', async () => {
    const other = importJWKSync(
      { ...vector.input.key, k: Buffer.alloc(32, 1).toString('base64url') },
      'HS256',
    )
    await expect(
      compactVerify(required(vector.output.compact, 'compact output'), other, { algorithms: ['HS256'] }),
    ).rejects.toMatchObject({ code: 'ERR_JWS_SIGNATURE_INVALID' })
  })
})

describe('RFC 7520 §4.5 signature with detached content', () => {
  const vector = loadJWSVector('jws/4_5.signature_with_detached_content.json')
  const key = importJWKSync(vector.input.key, 'HS256')
  const { payload } = vector.input
  const protectedHeader = required(vector.signing.protected, 'protected header')
  const compact = required(vector.output.compact, 'compact output')
  const jsonFlat = required(vector.output.json_flat, 'flattened JSON output')
  const json = required(vector.output.json, 'general JSON output')

  it('is the detached HS256 example: no payload in any serialization', () => {
    expect(compact.split('.')[1]).toBe('')
    expect(jsonFlat).not.toHaveProperty('payload')
    expect(json).not.toHaveProperty('payload')
  })

  it('reproduces the detached compact serialization exactly (async and sync)', async () => {
    expect(await compactSign(payload, key, protectedHeader, { detached: true })).toBe(compact)
    expect(compactSignSync(payload, key, protectedHeader, { detached: true })).toBe(compact)
  })

  it('reproduces the flattened and general serializations exactly once the payload is removed', async () => {
    const { payload: flatPayload, ...flat } = await flattenedSign(payload, key, protectedHeader)
    expect(flatPayload).toBe(b64u(payload))
    expect(flat).toEqual(jsonFlat)
    const { payload: generalPayload, ...rest } = await generalSign(payload, [{ key, protectedHeader }])
    expect(generalPayload).toBe(b64u(payload))
    expect(rest).toEqual(json)
  })

  it('verifies the given compact serialization with the detached payload', async () => {
    const result = await compactVerify(compact, key, { algorithms: ['HS256'], detachedPayload: payload })
    expect(utf8(result.payload)).toBe(payload)
    expect(
      compactVerifySync(compact, key, { algorithms: ['HS256'], detachedPayload: payload }).protectedHeader,
    ).toEqual(protectedHeader)
  })

  it('verifies the given flattened serialization (no "payload" member) with the detached payload', async () => {
    for (const input of [jsonFlat as FlattenedJWS, JSON.stringify(jsonFlat)]) {
      const result = await flattenedVerify(input, key, { algorithms: ['HS256'], detachedPayload: payload })
      expect(utf8(result.payload)).toBe(payload)
    }
  })

  it('verifies the given general serialization (no "payload" member) with the detached payload', async () => {
    const result = await generalVerify(json as GeneralJWS, key, {
      algorithms: ['HS256'],
      detachedPayload: Buffer.from(payload, 'utf8'),
    })
    expect(utf8(result.payload)).toBe(payload)
    expect(result.signatureIndex).toBe(0)
  })

  it('refuses the detached signature over any other payload', async () => {
    const options = { algorithms: ['HS256'], detachedPayload: `${payload}!` }
    await expect(compactVerify(compact, key, options)).rejects.toMatchObject({
      code: 'ERR_JWS_SIGNATURE_INVALID',
    })
    await expect(flattenedVerify(jsonFlat as FlattenedJWS, key, options)).rejects.toMatchObject({
      code: 'ERR_JWS_SIGNATURE_INVALID',
    })
    await expect(generalVerify(json as GeneralJWS, key, options)).rejects.toMatchObject({
      code: 'ERR_JWS_SIGNATURE_INVALID',
    })
  })

  it('refuses the JSON serializations without "payload" when no detached payload is given', async () => {
    await expect(
      flattenedVerify(jsonFlat as FlattenedJWS, key, { algorithms: ['HS256'] }),
    ).rejects.toMatchObject({
      code: 'ERR_JWS_INVALID',
    })
    await expect(generalVerify(json as GeneralJWS, key, { algorithms: ['HS256'] })).rejects.toMatchObject({
      code: 'ERR_JWS_INVALID',
    })
  })

  it('refuses a detached payload given for a JWS that carries one', async () => {
    const attached = await compactSign(payload, key, protectedHeader)
    await expect(
      compactVerify(attached, key, { algorithms: ['HS256'], detachedPayload: payload }),
    ).rejects.toMatchObject({
      code: 'ERR_JWS_INVALID',
    })
  })
})

describe('RFC 7520 §4.6 protecting specific header fields', () => {
  const vector = loadJWSVector('jws/4_6.protecting_specific_header_fields.json')
  const key = importJWKSync(vector.input.key, 'HS256')
  const { payload } = vector.input
  const protectedHeader = required(vector.signing.protected, 'protected header')
  const unprotectedHeader = required(vector.signing.unprotected, 'unprotected header')

  it('is the HS256 example with "kid" left unprotected, and has no compact form', () => {
    expect(protectedHeader).toEqual({ alg: 'HS256' })
    expect(Object.keys(unprotectedHeader)).toEqual(['kid'])
    expect(vector.output.compact).toBeUndefined()
  })

  it('reproduces the flattened JSON serialization exactly', async () => {
    const jws = await flattenedSign(payload, key, protectedHeader, unprotectedHeader)
    expect(jws.protected).toBe(vector.signing.protected_b64u)
    expect(jws).toEqual(vector.output.json_flat)
  })

  it('reproduces the general JSON serialization exactly', async () => {
    expect(await generalSign(payload, [{ key, protectedHeader, unprotectedHeader }])).toEqual(
      vector.output.json,
    )
  })

  verifiesGivenOutputs(vector, () => key)

  it('keeps the headers apart in the result: kid unprotected, alg protected', async () => {
    const result = await flattenedVerify(flattenedOutput(vector.output), key, { algorithms: ['HS256'] })
    expect(result.protectedHeader).toEqual({ alg: 'HS256' })
    expect(result.unprotectedHeader).toEqual(unprotectedHeader)
  })
})

describe('RFC 7520 §4.7 protecting content only', () => {
  const vector = loadJWSVector('jws/4_7.protecting_content_only.json')
  const key = importJWKSync(vector.input.key, 'HS256')
  const { payload } = vector.input
  const unprotectedHeader = required(vector.signing.unprotected, 'unprotected header')

  it('is the HS256 example with no protected header at all', () => {
    expect(vector.signing.protected).toBeUndefined()
    expect(vector.output.json_flat).not.toHaveProperty('protected')
    expect(vector.output.compact).toBeUndefined()
  })

  it('reproduces the flattened JSON serialization exactly', async () => {
    expect(await flattenedSign(payload, key, undefined, unprotectedHeader)).toEqual(vector.output.json_flat)
  })

  it('reproduces the general JSON serialization exactly', async () => {
    expect(await generalSign(payload, [{ key, unprotectedHeader }])).toEqual(vector.output.json)
  })

  verifiesGivenOutputs(vector, () => key)

  it('reports no protected header in the result', async () => {
    const result = await generalVerify(generalOutput(vector.output), key, { algorithms: ['HS256'] })
    expect(result.protectedHeader).toBeUndefined()
    expect(result.unprotectedHeader).toEqual(unprotectedHeader)
  })
})

describe('RFC 7520 §4.8 multiple signatures', () => {
  const vector = loadMultiJWSVector('jws/4_8.multiple_signatures.json')
  const { payload } = vector.input
  const json = generalOutput(vector.output)
  const algs = vector.input.alg
  const keys = vector.input.key.map((jwk, index) => keysOf(jwk, algs[index] as string))
  const byAlg = new Map(keys.map((pair, index) => [algs[index] as string, pair]))
  const publicKeyFor = (header: { alg?: string }): Key =>
    required(byAlg.get(header.alg ?? ''), `key for ${header.alg}`).publicKey

  it('is the RS256 + ES512 + HS256 example', () => {
    expect(algs).toEqual(['RS256', 'ES512', 'HS256'])
    expect(json.signatures).toHaveLength(3)
  })

  it('reproduces the deterministic RS256 and HS256 signatures exactly, and an ES512 one that verifies', async () => {
    const signers = vector.signing.map((step, index) => {
      const signer: GeneralSigner = {
        key: (keys[index] as { privateKey: Key }).privateKey,
      }
      if (step.protected) signer.protectedHeader = step.protected
      if (step.unprotected) signer.unprotectedHeader = step.unprotected
      return signer
    })
    const signed = await generalSign(payload, signers)
    expect(signed.payload).toBe(json.payload)
    expect(signed.signatures[0]).toEqual(json.signatures[0])
    expect(signed.signatures[2]).toEqual(json.signatures[2])
    expect(signed.signatures[1]?.header).toEqual(json.signatures[1]?.header)
    expect(signed.signatures[1]?.signature).not.toBe(json.signatures[1]?.signature)
    const ecdsaOnly = await generalVerify(signed, publicKeyFor, { algorithms: ['ES512'] })
    expect(ecdsaOnly.signatureIndex).toBe(1)
  })

  it('verifies the given general serialization on its first signature when all three are allowed', async () => {
    const result = await generalVerify(json, publicKeyFor, { algorithms: ['RS256', 'ES512', 'HS256'] })
    expect(result.signatureIndex).toBe(0)
    expect(utf8(result.payload)).toBe(payload)
    expect(result.protectedHeader).toEqual({ alg: 'RS256' })
    expect(result.unprotectedHeader).toEqual({ kid: 'bilbo.baggins@hobbiton.example' })
  })

  it('verifies each given signature on its own, and says which one verified', async () => {
    for (const [index, alg] of algs.entries()) {
      const result = await generalVerify(json, publicKeyFor, { algorithms: [alg] })
      expect(result.signatureIndex).toBe(index)
      expect({ ...result.protectedHeader, ...result.unprotectedHeader }).toMatchObject({ alg })
    }
  })

  it('verifies each given signature as a flattened JWS', async () => {
    for (const [index, signature] of json.signatures.entries()) {
      const alg = algs[index] as string
      const result = await flattenedVerify({ payload: json.payload, ...signature }, publicKeyFor, {
        algorithms: [alg],
      })
      expect(utf8(result.payload)).toBe(payload)
    }
  })

  it('fails with ERR_JWS_SIGNATURE_INVALID when every signature is changed', async () => {
    const broken = {
      payload: json.payload,
      signatures: json.signatures.map((entry) => ({ ...entry, signature: tamperSignature(entry.signature) })),
    }
    await expect(generalVerify(broken, publicKeyFor, { algorithms: algs })).rejects.toMatchObject({
      code: 'ERR_JWS_SIGNATURE_INVALID',
    })
  })

  it('falls through a changed first signature to the next one that verifies', async () => {
    const [first, ...rest] = json.signatures as [
      GeneralJWS['signatures'][number],
      ...GeneralJWS['signatures'],
    ]
    const broken = {
      payload: json.payload,
      signatures: [{ ...first, signature: tamperSignature(first.signature) }, ...rest],
    }
    const result = await generalVerify(broken, publicKeyFor, { algorithms: algs })
    expect(result.signatureIndex).toBe(1)
  })
})
