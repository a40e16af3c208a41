import type { FastifyInstance } from 'fastify'
import type { AuditLog } from '../lib/audit.js'
import type { Clock } from '../lib/clock.js'
import type { Storage } from '../storage/types.js'
import { AlertWebhook } from './alert-webhook.js'
import { registerGatewayReports } from './gateway-reports.js'
import { SecurityMonitor } from './security-monitor.js'
import { registerSecurityEvents } from './security-routes.js'

export interface SecurityParts {
  app: FastifyInstance
  audit: AuditLog
  clock: Clock
  storage: Storage
  adminToken: string
  /** TESSERA_ALERT_WEBHOOK, when set. */
  webhookUrl: string | undefined
}

/** Wires the security rules to the audit stream and the admin list; returns what to close. */
export function watchSecurity(parts: SecurityParts): { close(): Promise<void> } {
  const webhook =
    parts.webhookUrl === undefined
      ? undefined
      : new AlertWebhook({ url: parts.webhookUrl, log: parts.app.log })
  parts.audit.observe(new SecurityMonitor(parts.audit, parts.clock, webhook).observe)
  registerSecurityEvents(parts.app, parts.storage, parts.adminToken)
  registerGatewayReports(parts.app, parts.audit, parts.adminToken)
  return { close: () => webhook?.close() ?? Promise.resolve() }
}
