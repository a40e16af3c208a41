import type { AuditLog } from '../lib/audit.js'
import type { Clock } from '../lib/clock.js'
import type { AlertWebhook } from './alert-webhook.js'
import { PASSKEY_COUNTER_REGRESSION } from './passkey-events.js'
import { SECURITY_RULES, type SecurityEvent, type SecurityRule } from './rules.js'
import { SlidingWindow } from './sliding-window.js'
import { WindowedSum } from './windowed-sum.js'

/** Audit events that are failed device logins or refreshes; their detail carries the address. */
const FAILURES = new Set(['device.login_failed', 'refresh_token.failed'])
/** A device's credentials used successfully; their detail carries the address. */
const USES = new Set(['device.login', 'refresh_token.rotated'])

/**
 * Runs the security rules (rules.ts) over the audit stream of this instance. Memory is bounded by the
 * sliding windows; nothing here does I/O on the request path (the webhook delivers in the background).
 */
export class SecurityMonitor {
  readonly #audit: AuditLog
  readonly #clock: Clock
  readonly #webhook: AlertWebhook | undefined
  readonly #devicesPerAddress = new SlidingWindow(SECURITY_RULES.credential_stuffing.windowMs)
  readonly #failuresPerDevice = new SlidingWindow(SECURITY_RULES.device_brute_force.windowMs)
  readonly #addressesPerDevice = new SlidingWindow(SECURITY_RULES.device_many_addresses.windowMs)
  readonly #requestsPerEmail = new SlidingWindow(SECURITY_RULES.email_flood_address.windowMs)
  readonly #emailsSent = new SlidingWindow(SECURITY_RULES.email_flood_global.windowMs)
  readonly #gatewayRefusals = new WindowedSum(SECURITY_RULES.gateway_verification_skew.windowMs)
  #sequence = 0

  constructor(audit: AuditLog, clock: Clock, webhook: AlertWebhook | undefined) {
    this.#audit = audit
    this.#clock = clock
    this.#webhook = webhook
  }

  /** The audit observer. */
  readonly observe = (event: string, subject: string, detail: Readonly<Record<string, unknown>>): void => {
    if (event === 'refresh_token_reuse') {
      this.#fire('refresh_token_reuse', subject, {
        family: detail.family,
        client_id: detail.client_id,
        address: detail.address,
      })
      return
    }
    if (this.#observeSignIn(event, subject, detail)) return
    const address = typeof detail.address === 'string' ? detail.address : undefined
    if (USES.has(event)) {
      if (address === undefined) return
      const rule = SECURITY_RULES.device_many_addresses
      const addresses = this.#addressesPerDevice.add(subject, address, this.#clock.now())
      if (addresses >= rule.threshold) {
        this.#addressesPerDevice.reset(subject)
        this.#fire('device_many_addresses', subject, { addresses, window_s: rule.windowMs / 1000 })
      }
      return
    }
    if (!FAILURES.has(event)) return
    const now = this.#clock.now()
    const device = subject === '-' ? undefined : subject
    if (address !== undefined && device !== undefined) {
      const devices = this.#devicesPerAddress.add(address, device, now)
      if (devices >= SECURITY_RULES.credential_stuffing.threshold) {
        this.#devicesPerAddress.reset(address)
        this.#fire('credential_stuffing', address, {
          devices,
          window_s: SECURITY_RULES.credential_stuffing.windowMs / 1000,
        })
      }
    }
    if (device !== undefined) {
      const failures = this.#failuresPerDevice.add(device, String(this.#sequence++), now)
      if (failures >= SECURITY_RULES.device_brute_force.threshold) {
        this.#failuresPerDevice.reset(device)
        this.#fire('device_brute_force', device, {
          failures,
          window_s: SECURITY_RULES.device_brute_force.windowMs / 1000,
        })
      }
    }
  }

  /** The people-facing rules: lockouts, email floods, passkeys, gateways. True when `event` was theirs. */
  #observeSignIn(event: string, subject: string, detail: Readonly<Record<string, unknown>>): boolean {
    const now = this.#clock.now()
    switch (event) {
      case 'lockout.applied':
        this.#fire('signin_brute_force', subject, {
          scope: detail.scope,
          method: detail.method,
          failures: detail.failures,
          wait_s: detail.wait_s,
          permanent: detail.permanent,
        })
        return true
      case PASSKEY_COUNTER_REGRESSION:
        this.#fire('passkey_counter_regression', subject, {
          credential: detail.credential,
          stored: detail.stored,
          presented: detail.presented,
          address: detail.address,
        })
        return true
      case 'signin.email_requested': {
        const rule = SECURITY_RULES.email_flood_address
        const requests = this.#requestsPerEmail.add(subject, String(this.#sequence++), now)
        if (requests >= rule.threshold) {
          this.#requestsPerEmail.reset(subject)
          this.#fire('email_flood_address', subject, { requests, window_s: rule.windowMs / 1000 })
        }
        if (detail.outcome === 'sent') {
          const global = SECURITY_RULES.email_flood_global
          const sent = this.#emailsSent.add('*', String(this.#sequence++), now)
          if (sent >= global.threshold) {
            this.#emailsSent.reset('*')
            this.#fire('email_flood_global', 'signin', { sent, window_s: global.windowMs / 1000 })
          }
        }
        return true
      }
      case 'gateway.verification_refusals': {
        const rule = SECURITY_RULES.gateway_verification_skew
        const amount = Number(detail.unknown_kid ?? 0) + Number(detail.clock_skew ?? 0)
        const refusals = this.#gatewayRefusals.add(subject, amount, now)
        if (refusals >= rule.threshold) {
          this.#gatewayRefusals.reset(subject)
          this.#fire('gateway_verification_skew', subject, { refusals, window_s: rule.windowMs / 1000 })
        }
        return true
      }
      default:
        return false
    }
  }

  #fire(rule: SecurityRule, subject: string, detail: Record<string, unknown>): void {
    const event: SecurityEvent = { rule, subject, at: this.#clock.now(), detail }
    // The audit event is also what the metrics count (tessera_security_events_total{rule}).
    this.#audit.record(`security.${rule}`, subject, detail)
    this.#webhook?.send(event)
  }
}
