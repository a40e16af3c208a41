/**
 * When failed sign-ins start to cost waiting, after Keycloak's brute-force detector: failures are
 * counted per account and per client address; from the `failures`-th on, each further failure locks
 * for a wait that starts at `firstWait` and doubles up to `maxWait`; failures are forgotten
 * `resetAfter` after the first of them, and a success forgets the account's. Permanent lockout (until
 * an operator clears it) is off unless `permanentAfter` is set.
 */
export interface LockoutPolicy {
  /** Failures per account before the first wait (default 10: two spent codes). */
  readonly accountFailures: number
  /** Failures per client address before its first wait (default 30: addresses are shared by NATs). */
  readonly addressFailures: number
  /** Milliseconds of the first wait (default 60 s). */
  readonly firstWait: number
  /** Longest wait, milliseconds (default 15 min). */
  readonly maxWait: number
  /** Milliseconds after the first failure at which the count starts again (default 12 h). */
  readonly resetAfter: number
  /** Account failures at which the lock becomes permanent, until cleared; 0 = never (default). */
  readonly permanentAfter: number
}

/** A permanent lock lapses only in this many milliseconds: effectively never (100 years). */
export const PERMANENT_MS = 100 * 365 * 86_400_000

/**
 * The wait a failure count earns, in milliseconds: 0 below the threshold, then `firstWait`,
 * doubling with each further failure, never above `maxWait`.
 */
export function waitFor(failures: number, threshold: number, policy: LockoutPolicy): number {
  if (threshold <= 0 || failures < threshold) return 0
  const doublings = Math.min(failures - threshold, 40)
  return Math.min(policy.maxWait, policy.firstWait * 2 ** doublings)
}
