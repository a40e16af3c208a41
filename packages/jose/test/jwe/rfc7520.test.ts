/**
 * RFC 7520 §5 and the RFC 8037 X25519 example (§6 is in rfc7520-nesting.test.ts): every JWE of the cookbook, loaded at run time
 * from ../shared/vectors/rfc7520. Every given output (compact, flattened, general) decrypts to the
 * plaintext; the deterministic parts (key wrap with the given CEK, IV, salt or ephemeral key, and
 * content encryption with the given CEK and IV) reproduce byte for byte, and whole outputs reproduce
 * wherever the header order allows; 5.1 (RSA1_5) is refused with its own code.
 */
import { Buffer } from 'node:buffer'
import { createPrivateKey } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  compactDecrypt,
  type FlattenedJWE,
  flattenedDecrypt,
  type GeneralJWE,
  generalDecrypt,
  importJWKSync,
  importSecret,
  type JWK,
  type Key,
} from '../../src/index.js'
import { getContentEncryptionAlgorithm } from '../../src/jwa/content-encryption-algorithms.js'
import { getKeyManagementAlgorithm } from '../../src/jwa/key-management-algorithms.js'
import { encryptContent } from '../../src/jwe/internal/content/encryption.js'
import { encryptJWE } from '../../src/jwe/internal/encrypt.js'
import { type EncryptHooks, wrapCEK } from '../../src/jwe/internal/key-management/cek.js'
import { toCompact, toFlattened, toGeneral } from '../../src/jwe/internal/serialize.js'
import { JWE_VECTORS, type JWEVector, loadJWEVector } from '../helpers/jwe-vectors.js'

const bytes = (b64u: string) => Buffer.from(b64u, 'base64url')
const text = (data: Uint8Array) => Buffer.from(data).toString('utf8')
const ALL_ALGS = [
  'dir',
  'RSA-OAEP',
  'A128KW',
  'A256GCMKW',
  'ECDH-ES',
  'ECDH-ES+A128KW',
  'ECDH-ES+A256KW',
  'PBES2-HS512+A256KW',
]
const ALL_ENCS = ['A128CBC-HS256', 'A128GCM', 'A256GCM']
const OPTIONS = { keyManagementAlgorithms: ALL_ALGS, contentEncryptionAlgorithms: ALL_ENCS }

interface SealHeaders {
  protectedHeader?: Record<string, unknown>
  sharedUnprotectedHeader?: Record<string, unknown>
  additionalAuthenticatedData?: string
}

/**
 * What the public encrypt functions do (lib's encryptJWE, then lib's serializer), with the test hooks
 * that fix the CEK and IV; the hooks exist only in lib/, never in the public API.
 */
function seal(
  plaintext: string,
  key: Key,
  headers: SealHeaders,
  hooks: EncryptHooks,
  parametersIn: 'protected' | 'recipient',
) {
  const { protectedHeader, sharedUnprotectedHeader, additionalAuthenticatedData: aad } = headers
  return encryptJWE(
    {
      plaintext: Buffer.from(plaintext, 'utf8'),
      protectedHeader,
      sharedUnprotectedHeader,
      aad: aad === undefined ? undefined : Buffer.from(aad, 'utf8'),
      recipients: [{ key }],
      parametersIn,
    },
    undefined,
    hooks,
  )
}

const compactEncryptWith = async (
  plaintext: string,
  key: Key,
  protectedHeader: Record<string, unknown>,
  _: undefined,
  hooks: EncryptHooks,
) => toCompact(await seal(plaintext, key, { protectedHeader }, hooks, 'protected'))
const flattenedEncryptWith = async (
  plaintext: string,
  key: Key,
  headers: SealHeaders,
  _: undefined,
  hooks: EncryptHooks,
) => toFlattened(await seal(plaintext, key, headers, hooks, 'protected'))
const generalEncryptWith = async (
  plaintext: string,
  recipients: [{ key: Key }],
  headers: SealHeaders,
  _: undefined,
  hooks: EncryptHooks,
) => toGeneral(await seal(plaintext, recipients[0].key, headers, hooks, 'recipient'))

function keyOf(vector: JWEVector): Key | string {
  if (vector.input.pwd !== undefined) return importSecret(vector.input.pwd, vector.input.alg as string)
  return importJWKSync(vector.input.key as JWK)
}

function isGeneral(value: GeneralJWE | FlattenedJWE): value is GeneralJWE {
  return 'recipients' in value
}

/** Every serialization the example gives decrypts to its plaintext with the example's key. */
async function expectAllOutputsDecrypt(vector: JWEVector, key: Key | string) {
  const { output, input } = vector
  let checked = 0
  if (output.compact) {
    const { plaintext, protectedHeader } = await compactDecrypt(output.compact, key, OPTIONS)
    expect(text(plaintext)).toBe(input.plaintext)
    expect(protectedHeader.enc).toBe(input.enc)
    checked++
  }
  if (output.json_flat) {
    expect(text((await flattenedDecrypt(output.json_flat, key, OPTIONS)).plaintext)).toBe(input.plaintext)
    checked++
  }
  if (output.json) {
    const json = output.json
    const result = isGeneral(json)
      ? await generalDecrypt(json, key, OPTIONS)
      : await flattenedDecrypt(json, key, OPTIONS)
    expect(text(result.plaintext)).toBe(input.plaintext)
    checked++
  }
  expect(checked).toBeGreaterThan(0)
}

/** The content encryption of the example, from its CEK, IV and AAD, reproduces its ciphertext and tag. */
function expectContentReproduces(
  vector: JWEVector,
  cek: string,
  plaintext: Uint8Array = Buffer.from(vector.input.plaintext),
) {
  const enc = getContentEncryptionAlgorithm(vector.encrypting_content.protected?.enc ?? vector.input.enc)
  if (!enc) throw new Error('unknown enc')
  const protectedPart = vector.encrypting_content.protected_b64u ?? ''
  const aad =
    vector.generated.aad_b64u === undefined ? protectedPart : `${protectedPart}.${vector.generated.aad_b64u}`
  const sealed = encryptContent(
    enc,
    bytes(cek),
    plaintext,
    Buffer.from(aad, 'ascii'),
    bytes(vector.generated.iv),
  )
  expect(sealed.ciphertext.toString('base64url')).toBe(vector.encrypting_content.ciphertext)
  expect(sealed.tag.toString('base64url')).toBe(vector.encrypting_content.tag)
}

async function wrapWith(
  vector: JWEVector,
  alg: string,
  key: Key | string,
  hooks: EncryptHooks,
  header: Record<string, unknown>,
  p2c = 0,
) {
  const management = getKeyManagementAlgorithm(alg)
  const enc = getContentEncryptionAlgorithm(vector.encrypting_content.protected?.enc ?? vector.input.enc)
  if (!management || !enc) throw new Error('unknown algorithm')
  const wrapKey = typeof key === 'string' ? importSecret(key, alg) : key
  const cek = vector.generated.cek === undefined ? undefined : bytes(vector.generated.cek)
  return wrapCEK({ alg: management, enc, key: wrapKey, header, cek, p2c, hooks })
}

describe('RFC 7520 §5.1 RSA1_5', () => {
  const vector = loadJWEVector(JWE_VECTORS.rsa1_5)
  const key = importJWKSync(vector.input.key as JWK)

  it('refuses every serialization with ERR_JWE_RSA1_5_REFUSED, whatever the allowlists say', async () => {
    const { output } = vector
    const refused = { code: 'ERR_JWE_RSA1_5_REFUSED', message: expect.stringMatching(/Bleichenbacher/) }
    await expect(compactDecrypt(output.compact as string, key, OPTIONS)).rejects.toMatchObject(refused)
    await expect(flattenedDecrypt(output.json_flat as FlattenedJWE, key, OPTIONS)).rejects.toMatchObject(
      refused,
    )
    await expect(generalDecrypt(output.json as GeneralJWE, key, OPTIONS)).rejects.toMatchObject(refused)
  })

  it('refuses a key bound to RSA1_5 and an allowlist that names it', async () => {
    expect(() => importJWKSync(vector.input.key as JWK, 'RSA1_5')).toThrow(
      expect.objectContaining({ code: 'ERR_JWE_RSA1_5_REFUSED' }),
    )
    await expect(
      compactDecrypt(vector.output.compact as string, key, {
        ...OPTIONS,
        keyManagementAlgorithms: ['RSA1_5'],
      }),
    ).rejects.toThrow(TypeError)
  })
})

describe('RFC 7520 §5.2 RSA-OAEP with AES-GCM', () => {
  const vector = loadJWEVector(JWE_VECTORS.rsaOaep)
  it('decrypts every output and reproduces the content encryption', async () => {
    await expectAllOutputsDecrypt(vector, importJWKSync(vector.input.key as JWK))
    expectContentReproduces(vector, vector.generated.cek as string)
  })
})

describe('RFC 7520 §5.3 PBES2-HS512+A256KW with A128CBC-HS256', () => {
  const vector = loadJWEVector(JWE_VECTORS.pbes2)
  it('decrypts every output', async () => {
    await expectAllOutputsDecrypt(vector, keyOf(vector))
  })
  it('reproduces the encrypted key from the salt and count, and the content', async () => {
    const meta = vector.encrypting_key as { salt: string; iteration_count: number; encrypted_key: string }
    const result = await wrapWith(
      vector,
      'PBES2-HS512+A256KW',
      vector.input.pwd as string,
      { p2s: bytes(meta.salt) },
      {},
      meta.iteration_count,
    )
    expect(Buffer.from(result.encryptedKey).toString('base64url')).toBe(meta.encrypted_key)
    expect(result.parameters).toEqual({ p2s: meta.salt, p2c: meta.iteration_count })
    expectContentReproduces(vector, vector.generated.cek as string)
  })
})

describe('RFC 7520 §5.4 ECDH-ES+A128KW with AES-GCM (P-384)', () => {
  const vector = loadJWEVector(JWE_VECTORS.ecdhKw)
  const key = importJWKSync(vector.input.key as JWK)
  it('decrypts every output', async () => {
    await expectAllOutputsDecrypt(vector, key)
  })
  it('reproduces the encrypted key from the ephemeral key, and the content', async () => {
    const meta = vector.encrypting_key as { epk: JWK; encrypted_key: string }
    const ephemeralKey = createPrivateKey({ key: meta.epk as never, format: 'jwk' })
    const result = await wrapWith(vector, 'ECDH-ES+A128KW', key, { ephemeralKey }, {})
    expect(Buffer.from(result.encryptedKey).toString('base64url')).toBe(meta.encrypted_key)
    expect(result.parameters.epk).toEqual(vector.encrypting_content.protected?.epk)
    expectContentReproduces(vector, vector.generated.cek as string)
  })
})

describe('RFC 7520 §5.5 ECDH-ES with AES-CBC-HMAC-SHA2 (P-256)', () => {
  const vector = loadJWEVector(JWE_VECTORS.ecdhDirect)
  const key = importJWKSync(vector.input.key as JWK)
  it('decrypts every output', async () => {
    await expectAllOutputsDecrypt(vector, key)
  })
  it('derives the example CEK from the ephemeral key (Concat KDF) and reproduces the content', async () => {
    const meta = vector.encrypting_key as { epk: JWK; cek: string }
    const ephemeralKey = createPrivateKey({ key: meta.epk as never, format: 'jwk' })
    const result = await wrapWith(vector, 'ECDH-ES', key, { ephemeralKey }, {})
    expect(Buffer.from(result.cek).toString('base64url')).toBe(meta.cek)
    expect(result.encryptedKey).toHaveLength(0)
    expectContentReproduces(vector, meta.cek)
  })
})

describe('RFC 7520 §5.6 direct encryption with AES-GCM', () => {
  const vector = loadJWEVector(JWE_VECTORS.dir)
  const key = importJWKSync(vector.input.key as JWK)
  it('decrypts every output', async () => {
    await expectAllOutputsDecrypt(vector, key)
  })
  it('reproduces the compact and flattened outputs exactly', async () => {
    const hooks = { iv: bytes(vector.generated.iv) }
    const protectedHeader = vector.encrypting_content.protected as Record<string, unknown>
    expect(await compactEncryptWith(vector.input.plaintext, key, protectedHeader, undefined, hooks)).toBe(
      vector.output.compact,
    )
    expect(
      await flattenedEncryptWith(vector.input.plaintext, key, { protectedHeader }, undefined, hooks),
    ).toEqual(vector.output.json_flat)
  })
})

describe('RFC 7520 §5.7 A256GCMKW with A128CBC-HS256', () => {
  const vector = loadJWEVector(JWE_VECTORS.gcmKw)
  const key = importJWKSync(vector.input.key as JWK)
  it('decrypts every output', async () => {
    await expectAllOutputsDecrypt(vector, key)
  })
  it('reproduces the encrypted key, its iv and tag, and the content', async () => {
    const meta = vector.encrypting_key as { iv: string; tag: string; encrypted_key: string }
    const result = await wrapWith(vector, 'A256GCMKW', key, { kwIv: bytes(meta.iv) }, {})
    expect(Buffer.from(result.encryptedKey).toString('base64url')).toBe(meta.encrypted_key)
    expect(result.parameters).toEqual({ iv: meta.iv, tag: meta.tag })
    expectContentReproduces(vector, vector.generated.cek as string)
  })
})

describe('RFC 7520 §5.8 A128KW with AES-GCM', () => {
  const vector = loadJWEVector(JWE_VECTORS.aesKw)
  const key = importJWKSync(vector.input.key as JWK)
  it('decrypts every output', async () => {
    await expectAllOutputsDecrypt(vector, key)
  })
  it('reproduces the compact, flattened and general outputs exactly', async () => {
    const hooks = { cek: bytes(vector.generated.cek as string), iv: bytes(vector.generated.iv) }
    const protectedHeader = vector.encrypting_content.protected as Record<string, unknown>
    expect(await compactEncryptWith(vector.input.plaintext, key, protectedHeader, undefined, hooks)).toBe(
      vector.output.compact,
    )
    expect(
      await flattenedEncryptWith(vector.input.plaintext, key, { protectedHeader }, undefined, hooks),
    ).toEqual(vector.output.json_flat)
    expect(
      await generalEncryptWith(vector.input.plaintext, [{ key }], { protectedHeader }, undefined, hooks),
    ).toEqual(vector.output.json)
  })
})

describe('RFC 7520 §5.9 compressed content', () => {
  const vector = loadJWEVector(JWE_VECTORS.zip)
  const key = importJWKSync(vector.input.key as JWK)
  it('decrypts and inflates every output', async () => {
    await expectAllOutputsDecrypt(vector, key)
  })
  it("reproduces the content encryption of the example's compressed plaintext", async () => {
    // zlib's DEFLATE output differs from the cookbook's compressor, so the compressed bytes are the given ones.
    expectContentReproduces(
      vector,
      vector.generated.cek as string,
      bytes(vector.generated.plaintext_c as string),
    )
    const wrapped = await wrapWith(vector, 'A128KW', key, {}, {})
    expect(Buffer.from(wrapped.encryptedKey).toString('base64url')).toBe(
      (vector.encrypting_key as { encrypted_key: string }).encrypted_key,
    )
  })
})

describe('RFC 7520 §5.10 additional authenticated data', () => {
  const vector = loadJWEVector(JWE_VECTORS.aad)
  const key = importJWKSync(vector.input.key as JWK)
  it('decrypts every output and returns the AAD', async () => {
    await expectAllOutputsDecrypt(vector, key)
    const result = await flattenedDecrypt(vector.output.json_flat as FlattenedJWE, key, OPTIONS)
    expect(text(result.additionalAuthenticatedData as Uint8Array)).toBe(vector.input.aad)
  })
  it('reproduces the flattened and general outputs exactly', async () => {
    const hooks = { cek: bytes(vector.generated.cek as string), iv: bytes(vector.generated.iv) }
    const headers = {
      protectedHeader: vector.encrypting_content.protected as Record<string, unknown>,
      additionalAuthenticatedData: vector.input.aad as string,
    }
    expect(await flattenedEncryptWith(vector.input.plaintext, key, headers, undefined, hooks)).toEqual(
      vector.output.json_flat,
    )
    expect(await generalEncryptWith(vector.input.plaintext, [{ key }], headers, undefined, hooks)).toEqual(
      vector.output.json,
    )
  })
})

describe('RFC 7520 §5.11 protecting specific header fields', () => {
  const vector = loadJWEVector(JWE_VECTORS.protectSpecific)
  const key = importJWKSync(vector.input.key as JWK)
  it('decrypts every output and reports each header set', async () => {
    await expectAllOutputsDecrypt(vector, key)
    const result = await flattenedDecrypt(vector.output.json_flat as FlattenedJWE, key, OPTIONS)
    expect(result.protectedHeader).toEqual({ enc: 'A128GCM' })
    expect(result.sharedUnprotectedHeader).toEqual(vector.encrypting_content.unprotected)
  })
  it('reproduces the flattened and general outputs exactly', async () => {
    const hooks = { cek: bytes(vector.generated.cek as string), iv: bytes(vector.generated.iv) }
    const headers = {
      protectedHeader: vector.encrypting_content.protected as Record<string, unknown>,
      sharedUnprotectedHeader: vector.encrypting_content.unprotected as Record<string, unknown>,
    }
    expect(await flattenedEncryptWith(vector.input.plaintext, key, headers, undefined, hooks)).toEqual(
      vector.output.json_flat,
    )
    expect(await generalEncryptWith(vector.input.plaintext, [{ key }], headers, undefined, hooks)).toEqual(
      vector.output.json,
    )
  })
})

describe('RFC 7520 §5.12 protecting content only', () => {
  const vector = loadJWEVector(JWE_VECTORS.protectContentOnly)
  const key = importJWKSync(vector.input.key as JWK)
  it('decrypts every output', async () => {
    await expectAllOutputsDecrypt(vector, key)
  })
  it('reproduces the flattened and general outputs exactly', async () => {
    const hooks = { cek: bytes(vector.generated.cek as string), iv: bytes(vector.generated.iv) }
    const headers = {
      sharedUnprotectedHeader: vector.encrypting_content.unprotected as Record<string, unknown>,
    }
    expect(await flattenedEncryptWith(vector.input.plaintext, key, headers, undefined, hooks)).toEqual(
      vector.output.json_flat,
    )
    expect(await generalEncryptWith(vector.input.plaintext, [{ key }], headers, undefined, hooks)).toEqual(
      vector.output.json,
    )
  })
})

describe('RFC 7520 §5.13 multiple recipients', () => {
  const vector = loadJWEVector(JWE_VECTORS.multiple)
  const [rsa, ec, oct] = (vector.input.key as JWK[]).map((jwk) => importJWKSync(jwk)) as [Key, Key, Key]
  const json = vector.output.json as GeneralJWE
  const byKid = (header: { kid?: string }) => [rsa, ec, oct].find((key) => key.kid === header.kid) as Key

  it('decrypts for the ECDH-ES+A256KW and A256GCMKW recipients, skipping the refused RSA1_5 one', async () => {
    const viaResolver = await generalDecrypt(json, byKid, OPTIONS)
    expect(viaResolver.recipientIndex).toBe(1)
    expect(text(viaResolver.plaintext)).toBe(vector.input.plaintext)
    expect(viaResolver.sharedUnprotectedHeader).toEqual({ cty: 'text/plain' })
    const viaOct = await generalDecrypt(json, oct, OPTIONS)
    expect(viaOct.recipientIndex).toBe(2)
    expect(text(viaOct.plaintext)).toBe(vector.input.plaintext)
  })

  it('refuses the RSA1_5 recipient with its own code', async () => {
    const only = { ...json, recipients: [json.recipients[0] as GeneralJWE['recipients'][number]] }
    await expect(generalDecrypt(only, rsa, OPTIONS)).rejects.toMatchObject({ code: 'ERR_JWE_RSA1_5_REFUSED' })
  })

  it('reproduces the wrapped keys of the ECDH-ES and AES-GCM recipients and the content', async () => {
    const [, ecMeta, octMeta] = vector.encrypting_key as Array<{
      encrypted_key: string
      epk?: JWK
      iv?: string
      tag?: string
    }>
    if (!ecMeta || !octMeta) throw new Error('the vector has three recipients')
    const ephemeralKey = createPrivateKey({ key: ecMeta.epk as never, format: 'jwk' })
    const ecWrapped = await wrapWith(vector, 'ECDH-ES+A256KW', ec, { ephemeralKey }, {})
    expect(Buffer.from(ecWrapped.encryptedKey).toString('base64url')).toBe(ecMeta.encrypted_key)
    const octWrapped = await wrapWith(vector, 'A256GCMKW', oct, { kwIv: bytes(octMeta.iv as string) }, {})
    expect(Buffer.from(octWrapped.encryptedKey).toString('base64url')).toBe(octMeta.encrypted_key)
    expect(octWrapped.parameters.tag).toBe(octMeta.tag)
    expectContentReproduces(vector, vector.generated.cek as string)
  })
})

describe('RFC 8037 ECDH-ES with X25519', () => {
  const vector = loadJWEVector(JWE_VECTORS.x25519)
  it('decrypts every output', async () => {
    await expectAllOutputsDecrypt(vector, importJWKSync(vector.input.key as JWK))
  })
})
