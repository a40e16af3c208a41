/**
 * The security rules, each with its threshold. Each watches the audit stream; when it fires it
 * produces a `security.<rule>` audit event, a `tessera_security_events_total{rule}` count and, when
 * TESSERA_ALERT_WEBHOOK is set, a webhook POST. After firing, a rule forgets the key it fired for, so
 * a continuing attack fires again once it crosses the threshold again, not on every request.
 */
export const SECURITY_RULES = {
  refresh_token_reuse: {
    doc: 'A consumed refresh token was presented again: its family is revoked (threshold: 1 event)',
    threshold: 1,
    windowMs: 0,
  },
  credential_stuffing: {
    doc: 'Failed device logins or refreshes naming at least 10 different devices from one address within 5 minutes',
    threshold: 10,
    windowMs: 5 * 60_000,
  },
  device_brute_force: {
    doc: 'At least 20 failed logins or refreshes for one device within 5 minutes, from any addresses',
    threshold: 20,
    windowMs: 5 * 60_000,
  },
  device_many_addresses: {
    doc: 'One device logging in or refreshing from at least 5 different addresses within 10 minutes (a copied credential)',
    threshold: 5,
    windowMs: 10 * 60_000,
  },
  signin_brute_force: {
    doc: 'A sign-in lockout started: an account reached the lockout failures (TESSERA_LOCKOUT_FAILURES, default 10) or an address TESSERA_LOCKOUT_ADDRESS_FAILURES (default 30), by code, link or passkey',
    threshold: 1,
    windowMs: 0,
  },
  email_flood_address: {
    doc: 'At least 10 sign-in emails asked for one address within 15 minutes, whether sent or refused by the send limits',
    threshold: 10,
    windowMs: 15 * 60_000,
  },
  email_flood_global: {
    doc: 'At least 200 sign-in emails sent within 5 minutes, all addresses together',
    threshold: 200,
    windowMs: 5 * 60_000,
  },
  passkey_counter_regression: {
    doc: 'A correctly signed passkey sign-in whose signature counter did not grow: the key may have been copied, and the sign-in was refused (threshold: 1 event)',
    threshold: 1,
    windowMs: 0,
  },
  gateway_verification_skew: {
    doc: 'A gateway reported at least 20 unknown-kid or clock-skew refusals within 5 minutes (POST /admin/gateway-reports)',
    threshold: 20,
    windowMs: 5 * 60_000,
  },
} as const

export type SecurityRule = keyof typeof SECURITY_RULES

export const SECURITY_RULE_NAMES = Object.keys(SECURITY_RULES) as SecurityRule[]

export interface SecurityEvent {
  rule: SecurityRule
  /** What the rule fired for: an address, a device id, an account, a user id or a gateway name. */
  subject: string
  /** Epoch milliseconds. */
  at: number
  detail: Record<string, unknown>
}
