import { Buffer } from 'node:buffer'
import { describe, expect, it } from 'vitest'
import { importSecret, signJWTSync, verifyJWT } from '../../src/index.js'
import { toSeconds } from '../../src/lib/time.js'

/*
 * Duration strings were looked up in a plain object literal, so a "unit" naming a member of
 * Object.prototype ("constructor") was found, and multiplied into NaN. A NaN clockTolerance turned
 * every exp/nbf/iat comparison false: expired tokens verified. Units are now own members only.
 */
const NOW = 1_893_456_000
const currentDate = new Date(NOW * 1000)
const key = importSecret(Buffer.alloc(32, 0x61), 'HS256')
const expired = signJWTSync({}, key, { alg: 'HS256', iat: NOW - 7200, expiresIn: 60 })

describe('duration strings naming Object.prototype members', () => {
  it.each(['1 constructor', '1constructor', '2 CONSTRUCTOR', '1 __proto__', '1 toString'])(
    'toSeconds(%j) is a TypeError, never NaN',
    (value) => {
      expect(() => toSeconds(value, 'clockTolerance')).toThrow(TypeError)
    },
  )

  it('a clockTolerance of "1 constructor" is refused, so an expired token cannot verify', async () => {
    await expect(
      verifyJWT(expired, key, { algorithms: ['HS256'], currentDate, clockTolerance: '1 constructor' }),
    ).rejects.toThrow(TypeError)
    await expect(verifyJWT(expired, key, { algorithms: ['HS256'], currentDate })).rejects.toMatchObject({
      code: 'ERR_JWT_EXPIRED',
    })
  })

  it('a maxTokenAge of "1 constructor" is refused instead of disabling the age check', async () => {
    const old = signJWTSync({}, key, { alg: 'HS256', iat: NOW - 7200, expiresIn: '1d' })
    await expect(
      verifyJWT(old, key, { algorithms: ['HS256'], currentDate, maxTokenAge: '1 constructor' }),
    ).rejects.toThrow(TypeError)
    await expect(
      verifyJWT(old, key, { algorithms: ['HS256'], currentDate, maxTokenAge: '1h' }),
    ).rejects.toMatchObject({ code: 'ERR_JWT_TOO_OLD' })
  })

  it('expiresIn of "1 constructor" is refused at signing instead of writing "exp": null', () => {
    expect(() => signJWTSync({}, key, { alg: 'HS256', expiresIn: '1 constructor' })).toThrow(TypeError)
  })

  it('honest units still work', () => {
    expect(toSeconds('15m', 'x')).toBe(900)
    expect(toSeconds('2 hours', 'x')).toBe(7200)
    expect(toSeconds('1.5d', 'x')).toBe(129_600)
  })
})
