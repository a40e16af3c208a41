import { createHash } from 'node:crypto'
import type { AuditLog } from '../lib/audit.js'
import type { CounterStore } from './counter-store.js'
import { type LockoutPolicy, PERMANENT_MS, waitFor } from './policy.js'

/** Every way to prove who you are at sign-in; metrics label by these and nothing else. */
export const SIGN_IN_METHODS = ['code', 'link', 'passkey'] as const
export type SignInMethod = (typeof SIGN_IN_METHODS)[number]

export type SignInOutcome = 'success' | 'failure' | 'locked'

export interface SignInAttempt {
  readonly method: SignInMethod
  /**
   * Who the attempt claims to be (a normalised email address, or the user a passkey names), or
   * undefined when the attempt names nobody (a link token that matches no flow).
   */
  readonly account?: string | undefined
  /** The client address (request.ip). */
  readonly ip: string
}

/** A lock in force. `retryAfter` is in whole seconds; a permanent lock has none. */
export type Lock = { readonly permanent: false; readonly retryAfter: number } | { readonly permanent: true }

export interface LockoutOptions {
  store: CounterStore
  policy: LockoutPolicy
  audit: AuditLog
  now: () => number
  /** Counts each attempt (the sign-in metrics); must not throw. */
  onAttempt?: (method: SignInMethod, outcome: SignInOutcome) => void
}

type Scope = 'account' | 'address'

/** Counter keys hash what they count: the table never lists the addresses people sign in with. */
const keyOf = (kind: 'fail' | 'lock' | 'ban', scope: Scope, value: string) =>
  `${kind}:${scope}:${createHash('sha256').update(value, 'utf8').digest('base64url')}`

/**
 * Brute-force protection of every sign-in method, by account and by address (see policy.ts). A
 * method calls `check` before it looks at a proof, `recordFailure` when the proof is wrong and
 * `recordSuccess` when it is right. Accounts that do not exist are counted exactly like those that
 * do, so neither the lock nor its timing says which is which.
 */
export class Lockout {
  readonly #options: LockoutOptions

  constructor(options: LockoutOptions) {
    this.#options = options
  }

  get policy(): LockoutPolicy {
    return this.#options.policy
  }

  /** The lock that refuses this attempt now, if any (an address lock or an account lock). */
  async check(attempt: Omit<SignInAttempt, 'method'> & { method?: SignInMethod }): Promise<Lock | undefined> {
    const { store, now } = this.#options
    const at = now()
    const reads = [store.read(keyOf('lock', 'address', attempt.ip))]
    if (attempt.account !== undefined) {
      reads.push(store.read(keyOf('lock', 'account', attempt.account)))
      reads.push(store.read(keyOf('ban', 'account', attempt.account)))
    }
    const locks = (await Promise.all(reads)).filter((lock) => lock !== undefined)
    if (locks.length === 0) return undefined
    if (attempt.method !== undefined) this.#options.onAttempt?.(attempt.method, 'locked')
    const until = Math.max(...locks.map((lock) => lock.expiresAt))
    if (until - at > PERMANENT_MS / 2) return { permanent: true }
    return { permanent: false, retryAfter: Math.max(1, Math.ceil((until - at) / 1000)) }
  }

  /**
   * Counts a failed proof against the address and the account; returns the lock it brought on, if
   * any. Records `signin.failed`, and `lockout.applied` (a security event) when a lock starts.
   */
  async recordFailure(
    attempt: SignInAttempt,
    detail: Record<string, unknown> = {},
  ): Promise<Lock | undefined> {
    const { store, policy, audit, now } = this.#options
    this.#options.onAttempt?.(attempt.method, 'failure')
    audit.record('signin.failed', 'signin', {
      method: attempt.method,
      ...(attempt.account === undefined ? {} : { account: attempt.account }),
      address: attempt.ip,
      ...detail,
    })
    const at = now()
    const scopes: [Scope, string, number][] = [['address', attempt.ip, policy.addressFailures]]
    if (attempt.account !== undefined) scopes.push(['account', attempt.account, policy.accountFailures])
    let strongest: Lock | undefined
    for (const [scope, value, threshold] of scopes) {
      const failures = (await store.increment(keyOf('fail', scope, value), policy.resetAfter)).count
      const permanent = scope === 'account' && policy.permanentAfter > 0 && failures >= policy.permanentAfter
      const wait = permanent ? PERMANENT_MS : waitFor(failures, threshold, policy)
      if (wait === 0) continue
      // A permanent lock has a row of its own: a temporary one still running cannot be lengthened.
      const lock = await store.increment(keyOf(permanent ? 'ban' : 'lock', scope, value), wait)
      // Only the failure that started the lock announces it; racing ones find it already running.
      if (lock.count === 1) {
        audit.record('lockout.applied', value, {
          scope,
          method: attempt.method,
          failures,
          wait_s: permanent ? null : Math.ceil(wait / 1000),
          permanent,
        })
      }
      const found: Lock = permanent
        ? { permanent: true }
        : { permanent: false, retryAfter: Math.max(1, Math.ceil((lock.expiresAt - at) / 1000)) }
      if (
        strongest === undefined ||
        found.permanent ||
        (!strongest.permanent && found.retryAfter > strongest.retryAfter)
      )
        strongest = found
    }
    return strongest
  }

  /**
   * A proof that was right: the account's failures and lock are forgotten. The address keeps its
   * count, or one valid account would wash out an address's guesses at every other.
   */
  async recordSuccess(attempt: SignInAttempt): Promise<void> {
    this.#options.onAttempt?.(attempt.method, 'success')
    if (attempt.account !== undefined) await this.clear(attempt.account)
  }

  /** Lifts an account's lock and forgets its failures (operators, after a permanent lockout). */
  async clear(account: string): Promise<void> {
    const { store } = this.#options
    await store.reset(keyOf('fail', 'account', account))
    await store.reset(keyOf('lock', 'account', account))
    await store.reset(keyOf('ban', 'account', account))
  }
}
