import type { FastifyInstance } from 'fastify'
import { requireAdmin } from '../lib/admin-auth.js'
import type { AuditLog } from '../lib/audit.js'
import { OAuthError } from '../lib/oauth-error.js'

/** Gateway names as the reporter sends them: short, printable, no spaces. */
const GATEWAY_NAME = /^[A-Za-z0-9._:-]{1,64}$/
const COUNTS = ['unknown_kid', 'clock_skew'] as const
const MAX_COUNT = 1_000_000_000

export const GATEWAY_REPORTS_PATH = '/admin/gateway-reports'

/**
 * `POST /admin/gateway-reports` (admin token): a gateway pushes the verification refusals it saw
 * since its last accepted report, `{"gateway": name, "unknown_kid": n, "clock_skew": n}` — tokens
 * naming a kid its JWK set lacks, and tokens refused for `iat`/`nbf` in the future. Increments, not
 * totals, so any instance behind a balancer can take any report. A non-zero report becomes the audit
 * event `gateway.verification_refusals`, which the `gateway_verification_skew` rule sums per gateway.
 */
export function registerGatewayReports(app: FastifyInstance, audit: AuditLog, adminToken: string): void {
  app.post(GATEWAY_REPORTS_PATH, { bodyLimit: 1024 }, async (request, reply) => {
    requireAdmin(request.headers.authorization, adminToken)
    const body = request.body
    const fields = typeof body === 'object' && body !== null && !Array.isArray(body) ? body : undefined
    const record = fields as Record<string, unknown> | undefined
    const valid =
      record !== undefined &&
      Object.keys(record).every((key) => key === 'gateway' || (COUNTS as readonly string[]).includes(key)) &&
      typeof record.gateway === 'string' &&
      GATEWAY_NAME.test(record.gateway) &&
      COUNTS.every((name) => {
        const value = record[name] ?? 0
        return Number.isSafeInteger(value) && (value as number) >= 0 && (value as number) <= MAX_COUNT
      })
    if (!valid) {
      throw new OAuthError(
        'invalid_request',
        'the body must be {"gateway": name, "unknown_kid": n, "clock_skew": n} with counts from 0 to 1e9',
      )
    }
    const unknownKid = Number(record.unknown_kid ?? 0)
    const clockSkew = Number(record.clock_skew ?? 0)
    if (unknownKid + clockSkew > 0) {
      audit.record('gateway.verification_refusals', record.gateway as string, {
        unknown_kid: unknownKid,
        clock_skew: clockSkew,
      })
    }
    return reply.code(202).header('cache-control', 'no-store').send({ accepted: true })
  })
}
