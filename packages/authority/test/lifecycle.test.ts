import { describe, expect, it } from 'vitest'
import { planRotation } from '../src/keys/lifecycle.js'
import type { KeyRecord } from '../src/storage/types.js'

const H = 3_600_000
const schedule = { rotationPeriod: 24 * H, publishLead: 2 * H, retirePeriod: H }
const key = (
  kid: string,
  state: KeyRecord['state'],
  createdAt: number,
  extra: Partial<KeyRecord> = {},
): KeyRecord => ({
  kid,
  alg: 'ES256',
  state,
  publicJwk: '{}',
  sealedPrivateKey: '',
  createdAt,
  activatedAt: state === 'current' ? createdAt : null,
  retiredAt: null,
  ...extra,
})

describe('planRotation', () => {
  it('creates the first key as current', () => {
    expect(planRotation([], 0, schedule)).toEqual({ create: 'current', transitions: [], remove: [] })
  })

  it('publishes the next key one lead before the current is due, and not earlier', () => {
    const keys = [key('a', 'current', 0)]
    expect(planRotation(keys, 22 * H - 1, schedule).create).toBeUndefined()
    expect(planRotation(keys, 22 * H, schedule).create).toBe('next')
  })

  it('switches when due, but never before the next key has been published for the whole lead', () => {
    const lateNext = [key('a', 'current', 0), key('b', 'next', 23 * H)]
    expect(planRotation(lateNext, 24 * H, schedule).transitions).toEqual([])
    expect(planRotation(lateNext, 25 * H, schedule).transitions).toEqual([
      { kid: 'a', from: 'current', to: 'retired', at: 25 * H },
      { kid: 'b', from: 'next', to: 'current', at: 25 * H },
    ])
  })

  it('removes retired and revoked keys after the retire period', () => {
    const keys = [
      key('a', 'current', 0),
      key('r', 'retired', 0, { retiredAt: 10 * H }),
      key('x', 'revoked', 0, { retiredAt: 10 * H }),
    ]
    expect(planRotation(keys, 11 * H - 1, schedule).remove).toEqual([])
    expect(planRotation(keys, 11 * H, schedule).remove).toEqual(['r', 'x'])
  })

  it('promotes the next key at once when nothing is current (after a revocation)', () => {
    const keys = [key('x', 'revoked', 0, { retiredAt: 5 }), key('b', 'next', 4)]
    expect(planRotation(keys, 6, schedule).transitions).toEqual([
      { kid: 'b', from: 'next', to: 'current', at: 6 },
    ])
  })
})
