/**
 * RFC 7797 `b64` only means something in the protected header and must be critical; RFC 7515 `crit`
 * must be a protected, non-empty list of unique, unregistered names that the recipient understands.
 * A recipient that got either wrong would verify a different payload than the signer signed.
 */
import { Buffer } from 'node:buffer'
import { describe, expect, it } from 'vitest'
import {
  compactVerify,
  createJWTVerifier,
  flattenedVerify,
  generalVerify,
  verifyJWT,
} from '../../src/index.js'
import { b64u, forge, forgeSignature } from '../helpers/hostile-tokens.js'
import { secretFor } from '../helpers/unit-keys.js'

const key = secretFor('HS256')
const exp = 4102444800

/** A JSON-serialized signature with the given protected and unprotected headers, validly signed. */
function jsonJWS(
  protectedHeader: Record<string, unknown>,
  header: Record<string, unknown>,
  payload = b64u('x'),
) {
  const protectedPart = b64u(JSON.stringify(protectedHeader))
  const signature = b64u(forgeSignature(`${protectedPart}.${payload}`, key, 'HS256'))
  return {
    flattened: { protected: protectedPart, header, payload, signature },
    general: { payload, signatures: [{ protected: protectedPart, header, signature }] },
  }
}

async function jsonRefused(
  protectedHeader: Record<string, unknown>,
  header: Record<string, unknown>,
  code: string,
  crit?: string[],
) {
  const { flattened, general } = jsonJWS(protectedHeader, header)
  const options = crit ? { algorithms: ['HS256'], crit } : { algorithms: ['HS256'] }
  await expect(flattenedVerify(flattened, key, options)).rejects.toMatchObject({ code })
  await expect(generalVerify(general, key, options)).rejects.toMatchObject({ code })
}

async function compactRefused(header: Record<string, unknown>, code: string, crit?: string[]) {
  const token = forge(header, { exp }, key, 'HS256')
  const options = crit ? { algorithms: ['HS256'], crit } : { algorithms: ['HS256'] }
  await expect(compactVerify(token, key, options)).rejects.toMatchObject({ code })
  await expect(verifyJWT(token, key, options)).rejects.toMatchObject({ code })
  await expect(createJWTVerifier({ key, ...options })(token)).rejects.toMatchObject({ code })
  await jsonRefused(header, {}, code, crit)
}

describe('b64 outside the protected header', () => {
  it('is refused as ERR_JOSE_INVALID_HEADER when it stands alone', async () => {
    await jsonRefused({ alg: 'HS256' }, { b64: false }, 'ERR_JOSE_INVALID_HEADER')
    await jsonRefused({ alg: 'HS256' }, { b64: true }, 'ERR_JOSE_INVALID_HEADER')
  })

  it('is refused as ERR_JOSE_CRIT_INVALID when the protected crit names it', async () => {
    await jsonRefused({ alg: 'HS256', crit: ['b64'] }, { b64: false }, 'ERR_JOSE_CRIT_INVALID')
  })

  it('is refused with crit moved to the unprotected header too', async () => {
    await jsonRefused({ alg: 'HS256' }, { b64: false, crit: ['b64'] }, 'ERR_JOSE_CRIT_INVALID')
  })

  it('is refused when not critical, or not a boolean', async () => {
    await compactRefused({ alg: 'HS256', b64: false }, 'ERR_JOSE_CRIT_INVALID')
    await compactRefused({ alg: 'HS256', b64: 0, crit: ['b64'] }, 'ERR_JOSE_INVALID_HEADER')
    await compactRefused({ alg: 'HS256', b64: 'false', crit: ['b64'] }, 'ERR_JOSE_INVALID_HEADER')
  })
})

describe('b64 across the signatures of a general JWS', () => {
  it('is refused as ERR_JWS_INVALID when the signatures disagree', async () => {
    const payload = b64u('x')
    const encoded = b64u(JSON.stringify({ alg: 'HS256' }))
    const unencoded = b64u(JSON.stringify({ alg: 'HS256', b64: false, crit: ['b64'] }))
    const general = {
      payload,
      signatures: [
        { protected: encoded, signature: b64u(Buffer.alloc(32)) },
        { protected: unencoded, signature: b64u(forgeSignature(`${unencoded}.${payload}`, key, 'HS256')) },
      ],
    }
    await expect(generalVerify(general, key, { algorithms: ['HS256'] })).rejects.toMatchObject({
      code: 'ERR_JWS_INVALID',
    })
  })
})

describe('crit', () => {
  it.each([
    ['an undeclared name', { alg: 'HS256', crit: ['urn:x'], 'urn:x': 1 }, undefined],
    ['a name declared only for another parameter', { alg: 'HS256', crit: ['urn:x'], 'urn:x': 1 }, ['urn:y']],
    ['a duplicate name', { alg: 'HS256', crit: ['urn:x', 'urn:x'], 'urn:x': 1 }, ['urn:x']],
    ['b64 twice', { alg: 'HS256', crit: ['b64', 'b64'], b64: true }, undefined],
    ['an empty list', { alg: 'HS256', crit: [] }, undefined],
    ['a string instead of a list', { alg: 'HS256', crit: 'urn:x', 'urn:x': 1 }, ['urn:x']],
    ['an object instead of a list', { alg: 'HS256', crit: { 0: 'urn:x' }, 'urn:x': 1 }, ['urn:x']],
    ['null', { alg: 'HS256', crit: null }, undefined],
    ['a non-string entry', { alg: 'HS256', crit: [1] }, undefined],
    ['a name missing from the header', { alg: 'HS256', crit: ['urn:x'] }, ['urn:x']],
    ...['alg', 'kid', 'typ', 'cty', 'jwk', 'jku', 'x5u', 'x5c', 'x5t', 'x5t#S256', 'crit', 'enc', 'zip'].map(
      (name) =>
        [
          `the registered name ${name}`,
          { alg: 'HS256', kid: 'k', typ: 'JWT', cty: 'x', crit: [name] },
          [name],
        ] as const,
    ),
  ] as Array<[string, Record<string, unknown>, string[] | undefined]>)(
    'with %s is refused as ERR_JOSE_CRIT_INVALID everywhere',
    async (_what, header, declared) => {
      await compactRefused(header, 'ERR_JOSE_CRIT_INVALID', declared)
    },
  )

  it('outside the protected header is refused, even when declared', async () => {
    await jsonRefused({ alg: 'HS256', 'urn:x': 1 }, { crit: ['urn:x'] }, 'ERR_JOSE_CRIT_INVALID', ['urn:x'])
  })

  it('naming a parameter that sits in the unprotected header is refused', async () => {
    await jsonRefused({ alg: 'HS256', crit: ['urn:x'] }, { 'urn:x': 1 }, 'ERR_JOSE_CRIT_INVALID', ['urn:x'])
  })

  it('in both headers is refused as a header overlap', async () => {
    await jsonRefused(
      { alg: 'HS256', crit: ['urn:x'], 'urn:x': 1 },
      { crit: ['urn:x'] },
      'ERR_JOSE_INVALID_HEADER',
      ['urn:x'],
    )
  })

  it('is accepted when well formed and declared (the baseline)', async () => {
    const header = { alg: 'HS256', crit: ['urn:x'], 'urn:x': 1 }
    const token = forge(header, { exp }, key)
    await expect(verifyJWT(token, key, { algorithms: ['HS256'], crit: ['urn:x'] })).resolves.toBeDefined()
    const { flattened } = jsonJWS(header, {})
    await expect(
      flattenedVerify(flattened, key, { algorithms: ['HS256'], crit: ['urn:x'] }),
    ).resolves.toBeDefined()
  })
})
