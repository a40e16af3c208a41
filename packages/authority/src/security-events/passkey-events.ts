import type { AuditLog } from '../lib/audit.js'

/** The audit event a passkey sign-in records when the authenticator's signature counter went back. */
export const PASSKEY_COUNTER_REGRESSION = 'passkey.counter_regression'

/**
 * Records a passkey counter regression (the passkey sign-in refuses the assertion and calls this):
 * the `passkey_counter_regression` rule turns it into a security event, a metric and a webhook.
 * The credential id is cut to 64 characters: ids run to 1,364 and the audit detail is bounded.
 */
export function recordPasskeyCounterRegression(
  audit: AuditLog,
  event: { userId: string; credentialId: string; stored: number; presented: number; address?: string },
): void {
  audit.record(PASSKEY_COUNTER_REGRESSION, event.userId, {
    credential: event.credentialId.slice(0, 64),
    stored: event.stored,
    presented: event.presented,
    ...(event.address === undefined ? {} : { address: event.address }),
  })
}
