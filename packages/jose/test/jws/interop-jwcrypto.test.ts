/**
 * Interop with Debian's python3-jwcrypto 1.1, both ways, for the algorithms `jose` lacks — Ed448 and
 * ES256K — plus one RS256 and one ES256 case. jwcrypto 1.1 knows Ed448 only as polymorphic "EdDSA"
 * with an Ed448 OKP key, so tokens crossing to it carry alg "EdDSA", and verifying its tokens here
 * needs `algorithms: ['EdDSA']`. A missing jwcrypto fails these tests; it never skips them.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import {
  compactSign,
  compactVerify,
  exportJWK,
  type FlattenedJWS,
  flattenedSign,
  flattenedVerify,
  type GeneralJWS,
  generalSign,
  generalVerify,
  generateKeyPair,
  importJWK,
  type JWK,
  type Key,
  signJWT,
  verifyJWT,
} from '../../src/index.js'
import {
  type JwcryptoFormat,
  type JwcryptoOp,
  type JwcryptoResult,
  runJwcrypto,
  succeeded,
} from '../helpers/interop-jwcrypto.js'
import { tamperSignature, utf8 } from '../helpers/vectors.js'

interface Case {
  /** Our algorithm name for the key. */
  alg: string
  /** The "alg" both libraries put on the wire. */
  wire: string
  /** jwcrypto's JWK.generate parameters. */
  params: Record<string, string | number>
  kty: string
  crv?: string
}

const CASES: Case[] = [
  { alg: 'Ed448', wire: 'EdDSA', params: { kty: 'OKP', crv: 'Ed448' }, kty: 'OKP', crv: 'Ed448' },
  { alg: 'ES256K', wire: 'ES256K', params: { kty: 'EC', crv: 'secp256k1' }, kty: 'EC', crv: 'secp256k1' },
  { alg: 'RS256', wire: 'RS256', params: { kty: 'RSA', size: 2048 }, kty: 'RSA' },
  { alg: 'ES256', wire: 'ES256', params: { kty: 'EC', crv: 'P-256' }, kty: 'EC', crv: 'P-256' },
]

const FORMATS: JwcryptoFormat[] = ['jwt', 'compact', 'flattened', 'general']
const PAYLOAD = 'jwcrypto interop: ✓ ünïcödé'
const ISSUER = 'https://issuer.example'
const AUDIENCE = 'https://api.example'
const SUBJECT = 'user-1'

/** The members that are the key itself (jwcrypto and this library add different metadata). */
function keyMaterial(jwk: JWK | undefined): JWK {
  if (!jwk) throw new Error('no JWK')
  const { alg: _alg, kid: _kid, use: _use, key_ops: _ops, ...material } = jwk
  return material
}

function claimsNow(): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000)
  return { iss: ISSUER, aud: AUDIENCE, sub: SUBJECT, iat: now, exp: now + 300, scope: 'read' }
}

/** Tokens in every format, signed here with `key` under the wire algorithm. */
async function signHere(key: Key, wire: string): Promise<Record<JwcryptoFormat, unknown>> {
  return {
    jwt: await signJWT({ scope: 'read' }, key, {
      alg: wire,
      issuer: ISSUER,
      audience: AUDIENCE,
      subject: SUBJECT,
      expiresIn: '5m',
    }),
    compact: await compactSign(PAYLOAD, key, { alg: wire, kid: 'tessera' }),
    flattened: await flattenedSign(PAYLOAD, key, { alg: wire }, { kid: 'tessera' }),
    general: await generalSign(PAYLOAD, [
      { key, protectedHeader: { alg: wire }, unprotectedHeader: { kid: 'tessera' } },
    ]),
  }
}

function signThere(key: string | JWK, wire: string, format: JwcryptoFormat): JwcryptoOp {
  if (format === 'jwt')
    return { op: 'sign', key, format, header: { alg: wire, typ: 'JWT' }, claims: claimsNow() }
  const op: JwcryptoOp = { op: 'sign', key, format, header: { alg: wire, kid: 'jwcrypto' }, payload: PAYLOAD }
  // A general JWS from jwcrypto: an HS256 signature under a secret we do not have, then ours.
  if (format === 'general') op.extra = [{ key: 'noise', header: { alg: 'HS256' } }]
  return op
}

function verifyThere(key: string | JWK, wire: string, format: JwcryptoFormat, token: unknown): JwcryptoOp {
  const op: JwcryptoOp = { op: 'verify', key, format, token, algs: [wire] }
  if (format === 'jwt') op.check_claims = { iss: ISSUER, aud: AUDIENCE, sub: SUBJECT, exp: null }
  return op
}

/** Verifies here a token jwcrypto made, in its format; returns the payload text. */
async function verifyHere(format: JwcryptoFormat, token: unknown, key: Key, wire: string): Promise<string> {
  const options = { algorithms: [wire] }
  switch (format) {
    case 'jwt': {
      const { payload, protectedHeader } = await verifyJWT(token as string, key, {
        ...options,
        issuer: ISSUER,
        audience: AUDIENCE,
        subject: SUBJECT,
        typ: 'JWT',
      })
      expect(protectedHeader.alg).toBe(wire)
      return String(payload.scope)
    }
    case 'compact':
      return utf8((await compactVerify(token as string, key, options)).payload)
    case 'flattened':
      return utf8((await flattenedVerify(token as FlattenedJWS, key, options)).payload)
    case 'general': {
      const result = await generalVerify(token as GeneralJWS, key, options)
      expect(result.signatureIndex).toBe(1)
      return utf8(result.payload)
    }
  }
}

const expectedPayload = (format: JwcryptoFormat): string => (format === 'jwt' ? 'read' : PAYLOAD)

describe.each(CASES)('$alg interop with python3-jwcrypto', (testCase) => {
  const { alg, wire } = testCase
  let ours: { privateKey: Key; publicKey: Key; privateJWK: JWK; publicJWK: JWK }
  let theirs: { privateJWK: JWK; publicJWK: JWK; privateKey: Key; publicKey: Key }
  let version: JwcryptoResult
  let importedThere: JwcryptoResult
  let signedThere: Record<JwcryptoFormat, JwcryptoResult>
  let signedThereWithOurKey: Record<JwcryptoFormat, JwcryptoResult>
  let oursVerifiedThere: Record<JwcryptoFormat, JwcryptoResult>
  let tamperedVerifiedThere: JwcryptoResult
  let theirKeySignedHereVerifiedThere: Record<JwcryptoFormat, JwcryptoResult>

  beforeAll(async () => {
    const pair = await generateKeyPair(alg, { kid: 'tessera' })
    ours = {
      ...pair,
      privateJWK: await exportJWK(pair.privateKey),
      publicJWK: await exportJWK(pair.publicKey),
    }
    const oursSigned = await signHere(ours.privateKey, wire)
    const compact = oursSigned.compact as string
    const [head, body, signature] = compact.split('.') as [string, string, string]
    const tampered = `${head}.${body}.${tamperSignature(signature)}`

    const first = runJwcrypto([
      { op: 'version' },
      { op: 'generate', name: 'theirs', params: testCase.params },
      { op: 'generate', name: 'noise', params: { kty: 'oct', size: 256 } },
      { op: 'import', key: ours.publicJWK },
      ...FORMATS.map((format) => signThere('theirs', wire, format)),
      ...FORMATS.map((format) => signThere(ours.privateJWK, wire, format)),
      ...FORMATS.map((format) => verifyThere(ours.publicJWK, wire, format, oursSigned[format])),
      verifyThere(ours.publicJWK, wire, 'compact', tampered),
    ])
    version = succeeded(first[0], 'report its version')
    const generated = succeeded(first[1], `generate a ${alg} key`)
    importedThere = succeeded(first[3], 'import our public JWK')
    const at = (offset: number) => Object.fromEntries(FORMATS.map((format, i) => [format, first[offset + i]]))
    signedThere = at(4) as typeof signedThere
    signedThereWithOurKey = at(8) as typeof signedThereWithOurKey
    oursVerifiedThere = at(12) as typeof oursVerifiedThere
    tamperedVerifiedThere = first[16] as JwcryptoResult

    const privateJWK = generated.private as JWK
    const publicJWK = generated.public as JWK
    theirs = {
      privateJWK,
      publicJWK,
      privateKey: await importJWK(privateJWK, alg),
      publicKey: await importJWK(publicJWK, alg),
    }
    const theirKeySigned = await signHere(theirs.privateKey, wire)
    const second = runJwcrypto(
      FORMATS.map((format) => verifyThere(publicJWK, wire, format, theirKeySigned[format])),
    )
    theirKeySignedHereVerifiedThere = Object.fromEntries(
      FORMATS.map((format, i) => [format, second[i]]),
    ) as typeof theirKeySignedHereVerifiedThere
  })

  it('runs against jwcrypto 1.x', () => {
    expect(version.version).toMatch(/^1\./)
  })

  it(`jwcrypto's ${alg} JWK imports here as the same key`, async () => {
    expect(theirs.privateKey).toMatchObject({ type: 'private', kty: testCase.kty, crv: testCase.crv })
    expect(keyMaterial(await exportJWK(theirs.privateKey))).toEqual(keyMaterial(theirs.privateJWK))
    expect(keyMaterial(await exportJWK(theirs.publicKey))).toEqual(keyMaterial(theirs.publicJWK))
  })

  it(`our ${alg} JWK imports in jwcrypto as the same key`, () => {
    expect(keyMaterial(importedThere.public)).toEqual(keyMaterial(ours.publicJWK))
  })

  describe.each(FORMATS)('%s', (format) => {
    it('signed by jwcrypto with its key, verified here', async () => {
      const { token } = succeeded(signedThere[format], `sign ${format}`)
      expect(await verifyHere(format, token, theirs.publicKey, wire)).toBe(expectedPayload(format))
    })

    it('signed by jwcrypto with our key (imported there from JWK), verified here', async () => {
      const { token } = succeeded(signedThereWithOurKey[format], `sign ${format} with our JWK`)
      expect(await verifyHere(format, token, ours.publicKey, wire)).toBe(expectedPayload(format))
    })

    it('signed here with our key, verified by jwcrypto', () => {
      const result = succeeded(oursVerifiedThere[format], `verify our ${format}`)
      if (format === 'jwt') expect(result.claims).toMatchObject({ iss: ISSUER, aud: AUDIENCE, scope: 'read' })
      else expect(result.payload).toBe(PAYLOAD)
    })

    it("signed here with jwcrypto's key (imported here from JWK), verified by jwcrypto", () => {
      const result = succeeded(
        theirKeySignedHereVerifiedThere[format],
        `verify ${format} signed with its key`,
      )
      if (format === 'jwt') expect(result.claims).toMatchObject({ iss: ISSUER, sub: SUBJECT })
      else expect(result.payload).toBe(PAYLOAD)
    })
  })

  it('jwcrypto refuses our token with a changed signature, and so do we', async () => {
    expect(tamperedVerifiedThere.ok).toBe(false)
    const { token } = succeeded(signedThere.compact, 'sign compact')
    const [head, body, signature] = (token as string).split('.') as [string, string, string]
    await expect(
      compactVerify(`${head}.${body}.${tamperSignature(signature)}`, theirs.publicKey, {
        algorithms: [wire],
      }),
    ).rejects.toMatchObject({ code: 'ERR_JWS_SIGNATURE_INVALID' })
  })

  it("refuses jwcrypto's token under the other party's key", async () => {
    const { token } = succeeded(signedThere.compact, 'sign compact')
    await expect(
      compactVerify(token as string, ours.publicKey, { algorithms: [wire] }),
    ).rejects.toMatchObject({
      code: 'ERR_JWS_SIGNATURE_INVALID',
    })
  })

  if (alg === 'Ed448') {
    it('polymorphic EdDSA from jwcrypto is refused unless the allowlist names EdDSA', async () => {
      const { token } = succeeded(signedThere.compact, 'sign compact')
      await expect(
        compactVerify(token as string, theirs.publicKey, { algorithms: ['Ed448'] }),
      ).rejects.toMatchObject({
        code: 'ERR_JOSE_ALG_NOT_ALLOWED',
      })
      await expect(
        compactVerify(token as string, theirs.publicKey, { algorithms: ['EdDSA'] }),
      ).resolves.toMatchObject({
        protectedHeader: { alg: 'EdDSA' },
      })
    })
  }
})
