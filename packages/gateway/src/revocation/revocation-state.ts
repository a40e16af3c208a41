import { RevocationError } from './revocation-error.js'
import type { RevocationSnapshot } from './snapshot.js'

/** Whether tokens are refused (`closed`) or accepted unchecked (`open`) while the snapshot is stale. */
export type StalePolicy = 'closed' | 'open'

/**
 * The revocation check's answer: not revoked, revoked, or unknown (no fresh snapshot under the closed
 * policy).
 */
export type RevocationVerdict = 'valid' | 'revoked' | 'unknown'

export interface RevocationStateOptions {
  /** How long the gateway may go without a fresh snapshot before the stale policy applies (ms). */
  readonly maxStaleness: number
  readonly onStale: StalePolicy
  /** Allowed difference between the authority's clock and ours, in seconds (default 60). */
  readonly clockTolerance?: number
  readonly now?: () => number
}

/**
 * What RevocationState.status() reports: the held snapshot's version, when it was last confirmed, and
 * whether it is stale.
 */
export interface RevocationStatus {
  readonly version: number | undefined
  /** When the held content was last confirmed by the authority (ms since the epoch). */
  readonly freshAt: number | undefined
  readonly stale: boolean
  readonly policy: StalePolicy
}

/**
 * The revocations the gateway holds. A snapshot replaces the held one only if its version is not
 * older (and, for the same version, only if it was signed later), so a replayed snapshot can neither
 * roll back revocations nor make stale content look fresh.
 */
export class RevocationState {
  readonly #options: RevocationStateOptions
  readonly #now: () => number
  #snapshot: RevocationSnapshot | undefined
  #freshAt: number | undefined
  readonly #listeners: (() => void)[] = []

  constructor(options: RevocationStateOptions) {
    if (!Number.isFinite(options.maxStaleness) || options.maxStaleness <= 0) {
      throw new TypeError('"maxStaleness" must be a positive number of milliseconds')
    }
    if (options.onStale !== 'closed' && options.onStale !== 'open') {
      throw new TypeError('"onStale" must be "closed" or "open"')
    }
    this.#options = options
    this.#now = options.now ?? Date.now
  }

  /** Applies a verified snapshot; returns whether the held content changed. */
  apply(snapshot: RevocationSnapshot): boolean {
    const held = this.#snapshot
    if (held && snapshot.version < held.version) {
      throw new RevocationError(
        'ERR_REVOCATION_OLDER_VERSION',
        `revocation snapshot version ${snapshot.version} is older than the held ${held.version}`,
      )
    }
    if (held && snapshot.version === held.version && snapshot.iat <= held.iat) return false
    this.#snapshot = snapshot
    // Freshness counts from when the authority signed it (within the clock tolerance), not from when
    // it reached us: a replayed snapshot that is still unexpired buys no freshness.
    const signedAt = (snapshot.iat + (this.#options.clockTolerance ?? 60)) * 1000
    this.#freshAt = Math.max(this.#freshAt ?? 0, Math.min(signedAt, this.#now()))
    const changed = held?.version !== snapshot.version
    if (changed) for (const listener of this.#listeners) listener()
    return changed
  }

  /** Calls `listener` after each snapshot that changes the held revocations. */
  onChange(listener: () => void): void {
    this.#listeners.push(listener)
  }

  /** The authority answered 304: the held content is still current. */
  confirm(): void {
    if (this.#snapshot) this.#freshAt = this.#now()
  }

  status(): RevocationStatus {
    return {
      version: this.#snapshot?.version,
      freshAt: this.#freshAt,
      stale: this.#isStale(),
      policy: this.#options.onStale,
    }
  }

  #isStale(): boolean {
    return this.#freshAt === undefined || this.#now() - this.#freshAt > this.#options.maxStaleness
  }

  /**
   * Checks verified access-token claims: `revoked` when the jti is listed or a kill switch covers
   * its client, subject or device; `unknown` when the snapshot is stale and the policy is closed.
   */
  verdict(claims: Readonly<Record<string, unknown>>): RevocationVerdict {
    const snapshot = this.#snapshot
    if (snapshot) {
      const { jti, iat, sub, client_id: clientId } = claims
      if (typeof jti === 'string' && snapshot.jtis.has(jti)) return 'revoked'
      // A token without `iat` cannot show it was issued after a kill switch.
      const issued = typeof iat === 'number' ? iat : Number.NEGATIVE_INFINITY
      const cut = snapshot.issuedBefore
      const before = (map: ReadonlyMap<string, number>, key: unknown) =>
        typeof key === 'string' && map.size > 0 && issued < (map.get(key) ?? Number.NEGATIVE_INFINITY)
      // Device tokens are the ones with an `acl`; their subject is the device.
      if (before(cut.client, clientId) || before(cut.subject, sub)) return 'revoked'
      if (claims.acl !== undefined && before(cut.device, sub)) return 'revoked'
    }
    if (this.#isStale() && this.#options.onStale === 'closed') return 'unknown'
    return 'valid'
  }

  /** For callers that only take a yes or no: an unknown status counts as revoked (fail closed). */
  isRevoked(claims: Readonly<Record<string, unknown>>): boolean {
    return this.verdict(claims) !== 'valid'
  }
}
