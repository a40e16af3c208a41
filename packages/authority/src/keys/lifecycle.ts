import type { KeyRecord, KeyTransition } from '../storage/types.js'

/**
 * The four-step rotation as a pure function of the stored keys and the time:
 *
 * 1. publish the next key `publishLead` before the current one is due to be replaced;
 * 2. wait: caches (max-age below the lead) fetch the JWKS with the next key in it;
 * 3. switch signing when the current key is due *and* the next key has been published for the lead;
 * 4. keep the retired key published for `retirePeriod` (≥ token lifetime + clock tolerance), then
 *    remove it. Revoked keys leave the JWKS at once and their rows go after the same period.
 *
 * All durations in milliseconds.
 */
export interface Schedule {
  rotationPeriod: number
  publishLead: number
  retirePeriod: number
}

export interface RotationPlan {
  /** Create a key in this state (the caller generates it). */
  create: 'current' | 'next' | undefined
  /** Applied together, each conditional on the state it expects. */
  transitions: KeyTransition[]
  remove: string[]
}

export function planRotation(keys: readonly KeyRecord[], now: number, schedule: Schedule): RotationPlan {
  const plan: RotationPlan = { create: undefined, transitions: [], remove: [] }
  const current = keys.find((key) => key.state === 'current')
  const next = keys.find((key) => key.state === 'next')

  if (current === undefined) {
    // Nothing signs (first start, or after revoking the current key): promote or create at once.
    if (next) plan.transitions.push({ kid: next.kid, from: 'next', to: 'current', at: now })
    else plan.create = 'current'
  } else {
    const due = (current.activatedAt ?? current.createdAt) + schedule.rotationPeriod
    if (next === undefined) {
      if (now >= due - schedule.publishLead) plan.create = 'next'
    } else if (now >= due && now >= next.createdAt + schedule.publishLead) {
      // Retire first: at most one key may be current at any moment.
      plan.transitions.push({ kid: current.kid, from: 'current', to: 'retired', at: now })
      plan.transitions.push({ kid: next.kid, from: 'next', to: 'current', at: now })
    }
  }

  for (const key of keys) {
    if (
      (key.state === 'retired' || key.state === 'revoked') &&
      now >= (key.retiredAt ?? 0) + schedule.retirePeriod
    ) {
      plan.remove.push(key.kid)
    }
  }
  return plan
}

export function isEmptyPlan(plan: RotationPlan): boolean {
  return plan.create === undefined && plan.transitions.length === 0 && plan.remove.length === 0
}
