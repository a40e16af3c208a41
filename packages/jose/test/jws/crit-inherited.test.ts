import { Buffer } from 'node:buffer'
import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { compactVerify, importSecret } from '../../src/index.js'

/*
 * `crit` requires every listed parameter to be present in the protected header. Presence was tested
 * with `header[name] === undefined`, which finds Object.prototype's members: a token listing
 * "constructor" (or "toString", ...) in crit passed the presence check without carrying the
 * parameter. Presence now means an own member.
 */
const secret = Buffer.alloc(32, 0x61)
const key = importSecret(secret, 'HS256')

function sign(header: Record<string, unknown>): string {
  const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.e30`
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`
}

describe('crit names that exist on Object.prototype', () => {
  it.each(['constructor', 'toString', 'valueOf'])(
    'crit [%j] without the member is ERR_JOSE_CRIT_INVALID',
    async (name) => {
      const token = sign({ alg: 'HS256', crit: [name] })
      await expect(compactVerify(token, key, { algorithms: ['HS256'], crit: [name] })).rejects.toMatchObject({
        code: 'ERR_JOSE_CRIT_INVALID',
      })
    },
  )

  it('a declared extension that is present still verifies', async () => {
    const token = sign({ alg: 'HS256', crit: ['exp-ext'], 'exp-ext': 1 })
    await expect(
      compactVerify(token, key, { algorithms: ['HS256'], crit: ['exp-ext'] }),
    ).resolves.toBeDefined()
  })
})
