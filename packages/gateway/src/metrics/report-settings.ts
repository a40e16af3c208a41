import { readFileSync } from 'node:fs'
import { GatewayConfigError } from '../errors.js'

/** Reporting refusals to the authority (the CLI's `--report-refusals-to`); see refusal-reporter.ts. */
export interface ReportSettings {
  readonly authority: string
  readonly adminToken: string
  readonly gateway: string
  readonly intervalMs: number
}

/** Not a flag: secrets never go on the command line, where `ps` shows them. */
export const REPORT_TOKEN_ENV = 'TESSERA_GATEWAY_REPORT_TOKEN'

/** The CLI rows for refusal reports (the settings table includes them; same shape as its own). */
export const REPORT_SETTING_ROWS = [
  {
    key: 'reportRefusalsTo',
    flag: 'report-refusals-to',
    env: 'TESSERA_GATEWAY_REPORT_REFUSALS_TO',
    kind: 'string',
    default: undefined,
    help: 'Push unknown-kid and clock-skew refusals to this Tessera authority (POST /admin/gateway-reports); off when absent',
  },
  {
    key: 'reportTokenFile',
    flag: 'report-token-file',
    env: 'TESSERA_GATEWAY_REPORT_TOKEN_FILE',
    kind: 'string',
    default: undefined,
    help: `File holding the authority's admin token for the reports (or ${REPORT_TOKEN_ENV})`,
  },
  {
    key: 'reportName',
    flag: 'report-name',
    env: 'TESSERA_GATEWAY_REPORT_NAME',
    kind: 'string',
    default: 'gateway',
    help: "This gateway's name in the authority's security events (A–Z a–z 0–9 . _ : -, up to 64)",
  },
  {
    key: 'reportInterval',
    flag: 'report-interval',
    env: 'TESSERA_GATEWAY_REPORT_INTERVAL',
    kind: 'string',
    default: '30',
    help: 'Seconds between refusal reports',
  },
] as const

export function parseReportSettings(
  raw: Readonly<Record<string, string | boolean | undefined>>,
  env: NodeJS.ProcessEnv,
  allowInsecureHttp: boolean,
): ReportSettings | undefined {
  const to = raw.reportRefusalsTo
  if (typeof to !== 'string') return undefined
  let authority: URL
  try {
    authority = new URL(to)
  } catch {
    throw new GatewayConfigError('report-refusals-to', 'must be a URL')
  }
  if (authority.protocol !== 'https:' && !(allowInsecureHttp && authority.protocol === 'http:'))
    throw new GatewayConfigError(
      'report-refusals-to',
      'must be https: (http: only with --allow-insecure-http)',
    )
  const file = raw.reportTokenFile
  let adminToken = env[REPORT_TOKEN_ENV]
  if (typeof file === 'string') {
    try {
      adminToken = readFileSync(file, 'utf8').trim()
    } catch {
      throw new GatewayConfigError('report-token-file', `cannot read ${file}`)
    }
  }
  if (!adminToken)
    throw new GatewayConfigError(
      'report-token-file',
      `or ${REPORT_TOKEN_ENV} is required with --report-refusals-to`,
    )
  const gateway = typeof raw.reportName === 'string' ? raw.reportName : 'gateway'
  if (!/^[A-Za-z0-9._:-]{1,64}$/.test(gateway))
    throw new GatewayConfigError('report-name', 'must be 1–64 of A–Z a–z 0–9 . _ : -')
  const seconds = Number(raw.reportInterval ?? 30)
  if (!Number.isFinite(seconds) || seconds < 1 || seconds > 3600)
    throw new GatewayConfigError('report-interval', 'must be a number of seconds from 1 to 3600')
  return { authority: authority.href, adminToken, gateway, intervalMs: seconds * 1000 }
}
