import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { SecretHasher } from '../src/clients/client-secret.js'
import { createStorage } from '../src/storage/create-storage.js'

/** The shortcuts the throughput work added must answer exactly as the slow paths they skip. */
describe('hot-path shortcuts', () => {
  it('recognises a verified secret again, and nothing else', () => {
    const hasher = new SecretHasher(randomBytes(32))
    const secret = SecretHasher.generateSecret()
    const other = SecretHasher.generateSecret()
    const stored = hasher.hash(secret)
    expect(hasher.matches(other, stored)).toBe(false)
    expect(hasher.matches(secret, stored)).toBe(true)
    // Second time through the remembered digest.
    expect(hasher.matches(secret, stored)).toBe(true)
    expect(hasher.matches(other, stored)).toBe(false)
    expect(hasher.matches(`${secret}x`, stored)).toBe(false)
    expect(hasher.matches(secret, null)).toBe(false)
    // A new stored hash (a rotated secret) does not inherit the old one's digest.
    const rotated = hasher.hash(other)
    expect(hasher.matches(secret, rotated)).toBe(false)
    expect(hasher.matches(other, rotated)).toBe(true)
    // Another key never accepts what this one verified.
    expect(new SecretHasher(randomBytes(32)).matches(secret, stored)).toBe(false)
  })

  it('writes audit batches through SQLite JSON in order, text intact, and reuses statements', async () => {
    const storage = createStorage('sqlite::memory:')
    try {
      await storage.migrate()
      const detail = JSON.stringify({ jti: 'a"b\\c', note: 'é ✓ \u2028', n: 1 })
      await storage.appendAudit(
        Array.from({ length: 300 }, (_, i) => ({
          at: 1_795_339_699_000 + i,
          event: `e${i}`,
          subject: 's',
          detail,
        })),
      )
      await storage.appendAudit([{ at: 7, event: 'last', subject: "o'brien", detail: '{}' }])
      const events = await storage.listAudit(301)
      expect(events[0]).toEqual({ at: 7, event: 'last', subject: "o'brien", detail: '{}' })
      expect(events.slice(1).map((e) => e.event)).toEqual(
        Array.from({ length: 300 }, (_, i) => `e${299 - i}`),
      )
      expect(events[300]).toEqual({ at: 1_795_339_699_000, event: 'e0', subject: 's', detail })
      // The same lookup many times answers from the cached statement, and sees new rows.
      for (let i = 0; i < 3; i++) expect(await storage.isTokenRevoked('j')).toBe(false)
      await storage.revokeToken('j', Date.now() + 60_000)
      expect(await storage.isTokenRevoked('j')).toBe(true)
    } finally {
      await storage.close()
    }
  })
})
