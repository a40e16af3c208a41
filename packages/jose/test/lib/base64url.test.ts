/**
 * Strict base64url (RFC 7515 §2, RFC 4648 §5 without padding): Node's decoder silently accepts padding,
 * whitespace, the standard alphabet and non-zero unused bits, so one signature would cover many
 * spellings of a token. Every spelling but the canonical one is refused with ERR_JOSE_INVALID_ENCODING.
 */
import { describe, expect, it } from 'vitest'
import {
  compactVerify,
  compactVerifySync,
  createJWTVerifier,
  flattenedVerify,
  generalVerify,
  verifyJWT,
  verifyJWTSync,
} from '../../src/index.js'
import { forge, nonCanonical, padded, segment, withSegment } from '../helpers/hostile-tokens.js'
import { secretFor } from '../helpers/unit-keys.js'

const key = secretFor('HS256')
// 26-byte header (35 chars), 28-byte claims (38 chars), 32-byte signature (43 chars): none a multiple
// of 3 bytes, so each segment has unused bits and could take padding.
const token = forge({ alg: 'HS256', kid: 'k1' }, { exp: 4102444800, n: 12 }, key)
const NAMES = ['header', 'payload', 'signature'] as const

type Spelling = [string, (part: string) => string]
const SPELLINGS: Spelling[] = [
  ['padding', padded],
  ['a single "="', (part) => `${part}=`],
  ['non-canonical trailing bits', nonCanonical],
  ['a space inside', (part) => `${part.slice(0, 8)} ${part.slice(8)}`],
  ['a trailing newline', (part) => `${part}\n`],
  ['a leading tab', (part) => `\t${part}`],
  ['a CRLF inside', (part) => `${part.slice(0, 8)}\r\n${part.slice(8)}`],
  ['a "+" from the standard alphabet', (part) => `+${part.slice(1)}`],
  ['a "/" from the standard alphabet', (part) => `${part.slice(0, -1)}/`],
  ['a non-ASCII letter', (part) => `${part.slice(0, 4)}é${part.slice(5)}`],
  ['a length of 4n+1', (part) => `${part}${'A'.repeat((5 - (part.length % 4)) % 4)}`],
  ['a "%" escape', (part) => `${part.slice(0, 4)}%3D${part.slice(4)}`],
]

const cases = NAMES.flatMap((name, index) =>
  SPELLINGS.map(([what, spell]) => [name, what, index, spell] as const),
)

describe('strict base64url', () => {
  it('accepts the canonical token (the baseline every case below changes)', async () => {
    for (const index of [0, 1, 2]) expect(segment(token, index).length % 4).not.toBe(0)
    await expect(verifyJWT(token, key, { algorithms: ['HS256'] })).resolves.toBeDefined()
  })

  it.each(cases)(
    'refuses a %s with %s in every compact verify function',
    async (_name, _what, index, spell) => {
      const spelled = spell(segment(token, index))
      const hostile = withSegment(token, index, spelled)
      expect(hostile).not.toBe(token)
      const code = { code: 'ERR_JOSE_INVALID_ENCODING' }
      const options = { algorithms: ['HS256'] }
      await expect(verifyJWT(hostile, key, options)).rejects.toMatchObject(code)
      expect(() => verifyJWTSync(hostile, key, options)).toThrow(expect.objectContaining(code))
      await expect(compactVerify(hostile, key, options)).rejects.toMatchObject(code)
      expect(() => compactVerifySync(hostile, key, options)).toThrow(expect.objectContaining(code))
      const verifier = createJWTVerifier({ key, ...options })
      await expect(verifier(token)).resolves.toBeDefined()
      await expect(verifier(hostile)).rejects.toMatchObject(code)
      expect(() => verifier.sync(hostile)).toThrow(expect.objectContaining(code))
    },
  )

  it.each(cases)(
    'refuses a %s member with %s in the JSON serializations',
    async (_name, _what, index, spell) => {
      const [protectedPart, payload, signature] = token.split('.') as [string, string, string]
      const members = [protectedPart, payload, signature]
      members[index] = spell(members[index] as string)
      const [p, pl, s] = members as [string, string, string]
      const code = { code: 'ERR_JOSE_INVALID_ENCODING' }
      await expect(
        flattenedVerify({ protected: p, payload: pl, signature: s }, key, { algorithms: ['HS256'] }),
      ).rejects.toMatchObject(code)
      await expect(
        generalVerify({ payload: pl, signatures: [{ protected: p, signature: s }] }, key, {
          algorithms: ['HS256'],
        }),
      ).rejects.toMatchObject(code)
    },
  )

  it('encodes a detached payload itself, canonically', async () => {
    const jws = withSegment(token, 1, '')
    await expect(
      compactVerify(jws, key, { algorithms: ['HS256'], detachedPayload: '{"exp":4102444800,"n":12}' }),
    ).resolves.toBeDefined()
  })
})
