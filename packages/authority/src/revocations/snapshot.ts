import { createHash } from 'node:crypto'
import type { AuthorityContext } from '../authority-context.js'
import { OAuthError } from '../lib/oauth-error.js'
import type { CutoffKind, RevocationLists } from '../storage/types.js'

/** How long a signed snapshot stays acceptable to a gateway that receives it. */
export const SNAPSHOT_LIFETIME = 300
/** Seconds a snapshot may be served from cache; gateways poll every few seconds. */
export const SNAPSHOT_MAX_AGE = 2
/** The longest an access token can live (the configuration's upper bound), in milliseconds. */
const MAX_ACCESS_TOKEN_LIFETIME = 3600_000
/**
 * The snapshot's size bound. Access tokens live at most an hour, so this many live revocations
 * means something is wrong; the endpoint then answers 503 and gateways apply their stale policy.
 */
export const MAX_SNAPSHOT_ENTRIES = 1_000_000

export interface RevocationSnapshotClaims {
  iss: string
  iat: number
  exp: number
  /** Grows whenever the content changes; gateways refuse a version older than the one they hold. */
  version: number
  /** Revoked access tokens: `jti` → the NumericDate after which the entry may be forgotten. */
  jtis: Record<string, number>
  /** Revoked refresh families: id → when (NumericDate). */
  refresh_families: Record<string, number>
  /** Kill switches: every token of the subject, device or client with `iat` before the time is revoked. */
  issued_before: Record<CutoffKind, Record<string, number>>
}

export interface SignedSnapshot {
  readonly jwt: string
  /** Weak: the same content carries a fresh `iat` on every rebuild. */
  readonly etag: string
  /** The authority's clock at the build. */
  readonly builtAt: number
  /** performance.now() at the build: cache age in real time, whatever the clock does. */
  readonly builtAtMonotonic: number
}

const seconds = (ms: number) => ms / 1000

function contentOf(
  lists: RevocationLists,
): Omit<RevocationSnapshotClaims, 'iss' | 'iat' | 'exp' | 'version'> {
  const jtis: Record<string, number> = {}
  for (const { jti, expiresAt } of lists.tokens) jtis[jti] = Math.ceil(seconds(expiresAt))
  const families: Record<string, number> = {}
  for (const { id, revokedAt } of lists.families) families[id] = Math.floor(seconds(revokedAt))
  const issuedBefore: Record<CutoffKind, Record<string, number>> = { subject: {}, device: {}, client: {} }
  // Kept to the millisecond: a token issued in the same second as the kill switch is covered too.
  for (const { kind, value, before } of lists.cutoffs) issuedBefore[kind][value] = seconds(before)
  return { jtis, refresh_families: families, issued_before: issuedBefore }
}

/**
 * Builds, signs and caches the revocation snapshot. Rebuilt at most once per max-age (concurrent
 * requests share one build); the version moves only when the content does, and never backwards on
 * this instance. Several instances behind one name share the content ETag, so a gateway's
 * If-None-Match matches whichever answers; their versions follow their clocks (keep them in NTP).
 */
export class RevocationSnapshots {
  readonly #ctx: AuthorityContext
  #current: SignedSnapshot | undefined
  #building: Promise<SignedSnapshot> | undefined
  #version = 0
  #contentHash = ''

  constructor(ctx: AuthorityContext) {
    this.#ctx = ctx
  }

  /**
   * The current snapshot, rebuilt after half the max-age of real time, or as soon as the
   * authority's clock has moved as much either way (a stepped clock, or a test's manual one).
   */
  async current(): Promise<SignedSnapshot> {
    const cached = this.#current
    const limit = SNAPSHOT_MAX_AGE * 500
    if (
      cached &&
      performance.now() - cached.builtAtMonotonic < limit &&
      Math.abs(this.#ctx.clock.now() - cached.builtAt) < limit
    ) {
      return cached
    }
    this.#building ??= this.#build().finally(() => {
      this.#building = undefined
    })
    return this.#building
  }

  async #build(): Promise<SignedSnapshot> {
    const { clock, config, storage, keys } = this.#ctx
    const started = performance.now()
    const now = clock.now()
    const relevantSince = now - MAX_ACCESS_TOKEN_LIFETIME - config.clockTolerance * 1000
    const lists = await storage.listRevocations(now, relevantSince)
    const count = lists.tokens.length + lists.families.length + lists.cutoffs.length
    if (count > MAX_SNAPSHOT_ENTRIES) {
      throw new OAuthError('server_error', 'too many live revocations for one snapshot', { status: 503 })
    }
    const content = contentOf(lists)
    const text = JSON.stringify(content)
    const hash = createHash('sha256').update(text).digest('base64url').slice(0, 27)
    if (hash !== this.#contentHash) {
      this.#version = Math.max(this.#version + 1, now)
      this.#contentHash = hash
    }
    const signing = keys.ring.signing
    if (!signing) throw new OAuthError('server_error', 'no signing key is available', { status: 503 })
    const iat = Math.floor(seconds(now))
    const claims: RevocationSnapshotClaims = {
      iss: config.issuer,
      iat,
      exp: iat + SNAPSHOT_LIFETIME,
      version: this.#version,
      ...content,
    }
    const jwt = await signing.signRevocations({ ...claims })
    this.#current = { jwt, etag: `W/"${hash}"`, builtAt: now, builtAtMonotonic: started }
    return this.#current
  }
}
