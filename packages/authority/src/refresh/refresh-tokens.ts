import { createHmac, randomBytes } from 'node:crypto'
import type { Clock } from '../lib/clock.js'
import type { RefreshFamilyRecord, RefreshTokenRecord, Storage, UserGrantRecord } from '../storage/types.js'

/** 256 random bits, base64url: the only shape a refresh token of ours can have. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/

export interface RefreshPolicy {
  /** Milliseconds, from the login. */
  readonly absoluteLifetime: number
  /** Milliseconds a token may sit unused. */
  readonly idleTimeout: number
  /** Milliseconds a just-rotated token may be retried; 0 turns retries off. */
  readonly graceWindow: number
}

export type RefreshFailure =
  | 'unknown'
  | 'client_mismatch'
  | 'revoked'
  | 'expired'
  | 'reuse'
  /** A concurrent grace retry of the same token won; the family is intact. */
  | 'concurrent_retry'

export type RotationResult =
  | { ok: true; token: string; family: RefreshFamilyRecord; record: RefreshTokenRecord; reissued: boolean }
  | { ok: false; reason: RefreshFailure; family?: RefreshFamilyRecord }

export interface FoundRefreshToken {
  readonly token: RefreshTokenRecord
  readonly family: RefreshFamilyRecord
}

/**
 * Refresh tokens: opaque 256-bit random strings, stored only as an HMAC under a key derived from the
 * master key (random tokens need no slow hash; the key means a copied table cannot even confirm a
 * guess). Each login starts a family; every use rotates, and the storage's conditional update makes
 * the rotation atomic, so a family is always one chain with at most one live token.
 */
export class RefreshTokens {
  readonly #storage: Storage
  readonly #clock: Clock
  readonly #key: Buffer
  readonly policy: RefreshPolicy

  constructor(storage: Storage, clock: Clock, hmacKey: Uint8Array, policy: RefreshPolicy) {
    this.#storage = storage
    this.#clock = clock
    this.#key = Buffer.from(hmacKey)
    this.policy = policy
  }

  hash(token: string): string {
    return createHmac('sha256', this.#key).update(token, 'utf8').digest('hex')
  }

  #mint(familyId: string, now: number, family: { expiresAt: number }) {
    const token = randomBytes(32).toString('base64url')
    const record = {
      hash: this.hash(token),
      familyId,
      issuedAt: now,
      idleExpiresAt: Math.min(now + this.policy.idleTimeout, family.expiresAt),
      consumedAt: null,
      consumedReason: null,
    }
    return { token, record }
  }

  /** A device login: a new family and its first token. */
  async startFamily(clientId: string, deviceId: string, audience: string, user?: UserGrantRecord) {
    const now = this.#clock.now()
    const family: RefreshFamilyRecord = {
      id: randomBytes(16).toString('hex'),
      clientId,
      deviceId,
      audience,
      createdAt: now,
      expiresAt: now + this.policy.absoluteLifetime,
      revokedAt: null,
      revokeReason: null,
    }
    if (user) family.user = user
    const { token, record } = this.#mint(family.id, now, family)
    await this.#storage.insertRefreshFamily(family, {
      ...record,
      parentHash: null,
      issuedFor: null,
      generation: 0,
    })
    return { token, family }
  }

  async find(token: string): Promise<FoundRefreshToken | undefined> {
    if (!TOKEN_SHAPE.test(token)) return undefined
    return this.#storage.findRefreshToken(this.hash(token))
  }

  /** Whether the family is dead: revoked, past its absolute lifetime, or older than a kill switch. */
  async #familyDead({ family }: FoundRefreshToken, now: number): Promise<'revoked' | 'expired' | undefined> {
    if (family.revokedAt !== null) return 'revoked'
    if (now >= family.expiresAt) return 'expired'
    // A kill switch that raced this family's login may have missed it in its UPDATE; not here.
    const cutoff = await this.#storage.latestCutoff(
      family.user
        ? [
            ['client', family.clientId],
            ['subject', family.user.userId],
          ]
        : [
            ['client', family.clientId],
            ['device', family.deviceId],
            ['subject', family.deviceId],
          ],
    )
    if (cutoff !== undefined && family.createdAt <= cutoff) {
      await this.#storage.revokeRefreshFamily(family.id, now, 'kill-switch')
      return 'revoked'
    }
    return undefined
  }

  /** Active for RFC 7662: unconsumed, within both lifetimes, family alive. */
  async isActive(found: FoundRefreshToken): Promise<boolean> {
    const now = this.#clock.now()
    if (found.token.consumedAt !== null || now >= found.token.idleExpiresAt) return false
    return (await this.#familyDead(found, now)) === undefined
  }

  /**
   * RFC 6749 §6 with rotation. The presented token is consumed and its successor inserted in one
   * conditional transaction; losing that race, or presenting a consumed token, is reuse and revokes
   * the family — unless it is a retry inside the grace window (see #retry).
   */
  async rotate(found: FoundRefreshToken, clientId: string): Promise<RotationResult> {
    const { family } = found
    if (family.clientId !== clientId) return { ok: false, reason: 'client_mismatch', family }
    const now = this.#clock.now()
    const dead = await this.#familyDead(found, now)
    if (dead) return { ok: false, reason: dead, family }
    if (found.token.consumedAt === null) {
      if (now >= found.token.idleExpiresAt) return { ok: false, reason: 'expired', family }
      const { token: next, record } = this.#mint(family.id, now, family)
      const successor = {
        ...record,
        parentHash: found.token.hash,
        issuedFor: found.token.hash,
        generation: found.token.generation + 1,
      }
      if (await this.#storage.rotateRefreshToken(found.token.hash, successor, now)) {
        return { ok: true, token: next, family, record: successor, reissued: false }
      }
      // Lost the conditional update to a concurrent use: read what won, and judge as a consumed token.
      const fresh = await this.#storage.findRefreshToken(found.token.hash)
      if (!fresh || fresh.token.consumedAt === null) return { ok: false, reason: 'expired', family }
      return this.#retry(fresh, now)
    }
    return this.#retry(found, now)
  }

  /**
   * A consumed token presented again. Inside the grace window, and only while the successor issued
   * for it is unused, that successor is consumed as `superseded` and a replacement becomes the head
   * (its child), in one conditional transaction: the chain stays linear and there is never more than
   * one live token. Anything else is reuse: the whole family is revoked.
   */
  async #retry(found: FoundRefreshToken, now: number): Promise<RotationResult> {
    const { token, family } = found
    const consumedAt = token.consumedAt as number
    const inGrace =
      this.policy.graceWindow > 0 &&
      token.consumedReason === 'rotated' &&
      now - consumedAt <= this.policy.graceWindow
    if (inGrace) {
      const { token: next, record } = this.#mint(family.id, now, family)
      const reissued = await this.#storage.reissueRefreshToken(
        family.id,
        token.hash,
        { ...record, issuedFor: token.hash },
        now,
      )
      if (reissued) return { ok: true, token: next, family, record: reissued, reissued: true }
      // No unused answer to this token: either one was used (reuse), or a concurrent retry just
      // replaced it (benign: its answer is unused, so the family stays).
      const chain = await this.#storage.listRefreshTokens(family.id)
      const answered = chain.filter((t) => t.issuedFor === token.hash)
      const used = answered.some((t) => t.consumedReason === 'rotated')
      if (!used && answered.some((t) => t.consumedAt === null)) {
        return { ok: false, reason: 'concurrent_retry', family }
      }
    }
    await this.#storage.revokeRefreshFamily(family.id, now, 'reuse')
    return { ok: false, reason: 'reuse', family }
  }

  /** A user's sign-in through the code grant with `offline_access`: a family bound to its session. */
  startUserFamily(clientId: string, audience: string, user: UserGrantRecord) {
    return this.startFamily(clientId, '', audience, user)
  }

  async revokeFamily(familyId: string, reason: string): Promise<boolean> {
    return this.#storage.revokeRefreshFamily(familyId, this.#clock.now(), reason)
  }

  /**
   * Ending a browser session (logout, sign out everywhere, an administrator) revokes every refresh
   * family issued under it; returns how many were live.
   */
  revokeBySession(sessionId: string, reason = 'session-ended'): Promise<number> {
    return this.#storage.revokeRefreshFamiliesBySession(sessionId, this.#clock.now(), reason)
  }
}
