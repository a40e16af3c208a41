import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client'
import { SIGN_IN_METHODS, type SignInMethod, type SignInOutcome } from '../lockout/lockout.js'
import { SECURITY_RULE_NAMES } from '../security-events/rules.js'
import type { KeyRecord } from '../storage/types.js'
import { CountTable } from './count-table.js'

/** What the metrics read at scrape time; nothing here is touched per request. */
export interface MetricSources {
  /** The key records this instance serves (its key ring's snapshot). */
  keys(): readonly KeyRecord[]
  /** Audit events buffered and not yet written. */
  auditQueueDepth(): number
  now(): number
}

/** HTTP methods the authority routes; anything else is counted as `other`. */
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])
/** Grant types the token endpoint knows; anything a client sends beyond these is `other`. */
const GRANT_TYPES = new Set([
  'client_credentials',
  'refresh_token',
  'urn:ietf:params:oauth:grant-type:jwt-bearer',
  'authorization_code',
])
/** Audit events that are key lifecycle events (`key.created`, `key.current`, `key.rotated`, …). */
const KEY_EVENTS = new Set(['created', 'next', 'current', 'retired', 'revoked', 'removed', 'rotated'])
const KEY_STATES = ['next', 'current', 'retired', 'revoked'] as const
const SIGN_IN_OUTCOMES: readonly SignInOutcome[] = ['success', 'failure', 'locked']
/** Kinds of email the authority sends, and what became of each. */
const EMAIL_KINDS = ['signin'] as const
const EMAIL_RESULTS = ['sent', 'failed'] as const
const LOCKOUT_SCOPES = ['account', 'address'] as const

/**
 * The authority's Prometheus metrics, one registry per instance (tests run several in a process).
 * Hot-path counts go into plain tables ({@link CountTable}) and are copied into the prom-client
 * families when scraped, so a request pays for a map lookup and an increment, not for label hashing.
 * Every label has a closed set of values: route patterns as registered (never the raw URL), methods
 * and grant types from allowlists, status codes, key states, storage operation names.
 */
export class AuthorityMetrics {
  readonly registry = new Registry()
  readonly #requests = new CountTable<[route: string, method: string, status: string]>()
  readonly #refusals = new CountTable<[route: string]>()
  readonly #tokens = new CountTable<[grant: string]>()
  readonly #keyEvents = new CountTable<[event: string]>()
  readonly #securityEvents = new CountTable<[rule: string]>()
  readonly #refresh = { rotated: 0, reuse: 0, failed: 0 }
  readonly #signIns = new CountTable<[method: string, outcome: string]>()
  readonly #emails = new CountTable<[kind: string, result: string]>()
  readonly #lockouts = new CountTable<[scope: string]>()
  readonly #storageLatency: Histogram<'operation'>

  constructor(sources: MetricSources) {
    const registers = [this.registry]
    collectDefaultMetrics({ register: this.registry, prefix: 'tessera_' })
    const requests = this.#requests
    new Counter({
      name: 'tessera_http_requests_total',
      help: 'HTTP requests answered, by route pattern, method and status code',
      labelNames: ['route', 'method', 'status'],
      registers,
      collect() {
        this.reset()
        requests.forEach(([route, method, status], count) => {
          this.inc({ route, method, status }, count)
        })
      },
    })
    const refusals = this.#refusals
    new Counter({
      name: 'tessera_rate_limit_refusals_total',
      help: 'Requests refused with 429 by a rate limit, by route pattern',
      labelNames: ['route'],
      registers,
      collect() {
        this.reset()
        refusals.forEach(([route], count) => {
          this.inc({ route }, count)
        })
      },
    })
    const tokens = this.#tokens
    new Counter({
      name: 'tessera_tokens_issued_total',
      help: 'Token responses sent by the token endpoint, by grant type',
      labelNames: ['grant_type'],
      registers,
      collect() {
        this.reset()
        tokens.forEach(([grant], count) => {
          this.inc({ grant_type: grant }, count)
        })
      },
    })
    const refresh = this.#refresh
    new Counter({
      name: 'tessera_refresh_tokens_total',
      help: 'Refresh token outcomes: rotated, reuse detected (family revoked), failed',
      labelNames: ['outcome'],
      registers,
      collect() {
        this.reset()
        for (const [outcome, count] of Object.entries(refresh)) this.inc({ outcome }, count)
      },
    })
    const keyEvents = this.#keyEvents
    new Counter({
      name: 'tessera_key_events_total',
      help: 'Signing-key lifecycle events seen by this instance: created, next, current, retired, revoked, removed, rotated',
      labelNames: ['event'],
      registers,
      collect() {
        this.reset()
        keyEvents.forEach(([event], count) => {
          this.inc({ event }, count)
        })
      },
    })
    const securityEvents = this.#securityEvents
    new Counter({
      name: 'tessera_security_events_total',
      help: 'Security rules fired (see GET /admin/security-events for the rules and their thresholds)',
      labelNames: ['rule'],
      registers,
      collect() {
        this.reset()
        for (const rule of SECURITY_RULE_NAMES) this.inc({ rule }, 0)
        securityEvents.forEach(([rule], count) => {
          this.inc({ rule }, count)
        })
      },
    })
    const signIns = this.#signIns
    new Counter({
      name: 'tessera_signin_attempts_total',
      help: 'Sign-in proofs presented, by method (code, link, passkey) and outcome (success, failure, locked = refused unread by a lockout)',
      labelNames: ['method', 'outcome'],
      registers,
      collect() {
        this.reset()
        for (const method of SIGN_IN_METHODS)
          for (const outcome of SIGN_IN_OUTCOMES) this.inc({ method, outcome }, 0)
        signIns.forEach(([method, outcome], count) => {
          this.inc({ method, outcome }, count)
        })
      },
    })
    const emails = this.#emails
    new Counter({
      name: 'tessera_emails_sent_total',
      help: 'Emails handed to the mail server, by kind and result (sent, failed)',
      labelNames: ['kind', 'result'],
      registers,
      collect() {
        this.reset()
        for (const kind of EMAIL_KINDS) for (const result of EMAIL_RESULTS) this.inc({ kind, result }, 0)
        emails.forEach(([kind, result], count) => {
          this.inc({ kind, result }, count)
        })
      },
    })
    const lockouts = this.#lockouts
    new Counter({
      name: 'tessera_lockouts_total',
      help: 'Sign-in lockouts started, by what was locked (account, address)',
      labelNames: ['scope'],
      registers,
      collect() {
        this.reset()
        for (const scope of LOCKOUT_SCOPES) this.inc({ scope }, 0)
        lockouts.forEach(([scope], count) => {
          this.inc({ scope }, count)
        })
      },
    })
    new Gauge({
      name: 'tessera_signing_keys',
      help: 'Signing keys this instance serves, by state',
      labelNames: ['state'],
      registers,
      collect() {
        const records = sources.keys()
        for (const state of KEY_STATES) {
          this.set({ state }, records.filter((record) => record.state === state).length)
        }
      },
    })
    new Gauge({
      name: 'tessera_signing_key_age_seconds',
      help: 'Age of the oldest key in each state, since it entered that state (creation for next keys)',
      labelNames: ['state'],
      registers,
      collect() {
        this.reset()
        const now = sources.now()
        for (const state of KEY_STATES) {
          const since = sources
            .keys()
            .filter((record) => record.state === state)
            .map((record) => enteredStateAt(record))
          if (since.length > 0) this.set({ state }, Math.max(0, (now - Math.min(...since)) / 1000))
        }
      },
    })
    new Gauge({
      name: 'tessera_audit_queue_depth',
      help: 'Audit events buffered in memory, not yet written to the database',
      registers,
      collect() {
        this.set(sources.auditQueueDepth())
      },
    })
    this.#storageLatency = new Histogram({
      name: 'tessera_storage_operation_duration_seconds',
      help: 'Time taken by storage (database) operations, by operation',
      labelNames: ['operation'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    })
  }

  /** One answered request; `route` is the registered pattern, or undefined when nothing matched. */
  countRequest(route: string | undefined, method: string, status: number): void {
    const routeLabel = route ?? 'unmatched'
    this.#requests.add(routeLabel, METHODS.has(method) ? method : 'other', String(status))
    if (status === 429) this.#refusals.add(routeLabel)
  }

  countToken(grantType: unknown): void {
    this.#tokens.add(typeof grantType === 'string' && GRANT_TYPES.has(grantType) ? grantType : 'other')
  }

  /** One sign-in proof and its outcome (the lockout's `onAttempt`). */
  readonly countSignIn = (method: SignInMethod, outcome: SignInOutcome): void => {
    if ((SIGN_IN_METHODS as readonly string[]).includes(method) && SIGN_IN_OUTCOMES.includes(outcome))
      this.#signIns.add(method, outcome)
  }

  /** Audit events that are also metrics: refresh outcomes, key lifecycle, emails, lockouts. */
  observeAudit(event: string, detail: Readonly<Record<string, unknown>> = {}): void {
    if (event === 'email.sent') {
      const kind = (EMAIL_KINDS as readonly unknown[]).includes(detail.kind) ? String(detail.kind) : 'other'
      const result = (EMAIL_RESULTS as readonly unknown[]).includes(detail.result)
        ? String(detail.result)
        : 'failed'
      this.#emails.add(kind, result)
    } else if (event === 'lockout.applied') {
      if ((LOCKOUT_SCOPES as readonly unknown[]).includes(detail.scope))
        this.#lockouts.add(String(detail.scope))
    } else if (event === 'refresh_token.rotated') this.#refresh.rotated++
    else if (event === 'refresh_token_reuse') this.#refresh.reuse++
    else if (event === 'refresh_token.failed') this.#refresh.failed++
    else if (event.startsWith('security.')) {
      const rule = event.slice('security.'.length)
      if ((SECURITY_RULE_NAMES as string[]).includes(rule)) this.#securityEvents.add(rule)
    } else if (event.startsWith('key.')) {
      const name = event.slice(4)
      if (KEY_EVENTS.has(name)) this.#keyEvents.add(name)
    }
  }

  /** A timer for one storage operation (the name is a Storage method, a closed set). */
  storageTimer(operation: string): () => void {
    return this.#storageLatency.startTimer({ operation })
  }

  /** The exposition text (Prometheus text format 0.0.4) and its content type. */
  async scrape(): Promise<{ body: string; contentType: string }> {
    return { body: await this.registry.metrics(), contentType: this.registry.contentType }
  }
}

function enteredStateAt(record: KeyRecord): number {
  if (record.state === 'current') return record.activatedAt ?? record.createdAt
  if (record.state === 'retired' || record.state === 'revoked') return record.retiredAt ?? record.createdAt
  return record.createdAt
}
