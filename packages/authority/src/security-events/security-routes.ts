import type { FastifyInstance } from 'fastify'
import { requireAdmin } from '../lib/admin-auth.js'
import type { Storage } from '../storage/types.js'
import { SECURITY_RULES } from './rules.js'

/** How many of the latest audit events the list looks through. */
const SCAN = 1000

/** `GET /admin/security-events` (admin token): the rules with their thresholds and recent events. */
export function registerSecurityEvents(app: FastifyInstance, storage: Storage, adminToken: string): void {
  app.get('/admin/security-events', async (request, reply) => {
    requireAdmin(request.headers.authorization, adminToken)
    const events = (await storage.listAudit(SCAN))
      .filter((event) => event.event.startsWith('security.'))
      .map((event) => ({
        rule: event.event.slice('security.'.length),
        subject: event.subject,
        at: new Date(event.at).toISOString(),
        detail: JSON.parse(event.detail) as unknown,
      }))
    const rules = Object.entries(SECURITY_RULES).map(([name, rule]) => ({
      rule: name,
      threshold: rule.threshold,
      window_s: rule.windowMs / 1000,
      doc: rule.doc,
    }))
    return reply.header('cache-control', 'no-store').send({ rules, events })
  })
}
