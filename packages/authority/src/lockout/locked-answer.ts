import { PageError } from '../pages/page-error.js'
import type { Lock } from './lockout.js'

/**
 * The words of a lock, the same whichever account or address tripped it and whether or not the
 * account exists: nothing in the answer tells an attacker which guess was close to anything.
 */
function lockMessage(lock: Lock): string {
  if (lock.permanent) {
    return 'Sign-in is blocked after too many failed attempts. Ask the operator of this service to unblock it.'
  }
  const minutes = Math.max(1, Math.ceil(lock.retryAfter / 60))
  return `Too many failed sign-in attempts. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`
}

const lockHeaders = (lock: Lock): Record<string, string> =>
  lock.permanent ? {} : { 'retry-after': String(lock.retryAfter) }

/** The locked answer of the sign-in pages: a 429 page with Retry-After. */
export function lockedPage(lock: Lock): PageError {
  return new PageError('too_many_requests', lockMessage(lock), {
    title: 'Sign-in paused',
    headers: lockHeaders(lock),
  })
}

/** The locked answer of a JSON endpoint (the passkey ceremony): status, headers and body to send. */
export function lockedJson(lock: Lock): {
  status: 429
  headers: Record<string, string>
  body: { error: 'too_many_attempts'; error_description: string; retry_after?: number }
} {
  return {
    status: 429,
    headers: { ...lockHeaders(lock), 'cache-control': 'no-store' },
    body: {
      error: 'too_many_attempts',
      error_description: lockMessage(lock),
      ...(lock.permanent ? {} : { retry_after: lock.retryAfter }),
    },
  }
}
