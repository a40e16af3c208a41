import type { AuditLog } from '../lib/audit.js'

/** The audit event a passkey sign-in records when the authenticator's signature counter went back. */
export const PASSKEY_COUNTER_REGRESSION = 'passkey.counter_regression'

/**
 * Records a passkey counter regression (the passkey sign-in refuses the assertion and calls this):
 * the `passkey_counter_regression` rule turns it into a security event, a metric and a webhook.
 */
export function recordPasskeyCounterRegression(
  audit: AuditLog,
  event: { userId: string; credentialId: string; address?: string },
): void {
  audit.record(PASSKEY_COUNTER_REGRESSION, event.userId, {
    credential_id: event.credentialId,
    ...(event.address === undefined ? {} : { address: event.address }),
  })
}
