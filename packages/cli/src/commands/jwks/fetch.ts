import type { Command } from 'commander'
import { examples, withJSON } from '../../lib/command.js'
import { humanDuration } from '../../lib/durations.js'
import { failure } from '../../lib/exit.js'
import { fetchBounded } from '../../lib/http.js'
import { checkFetchURL } from '../../lib/url.js'
import { diagnoseSet, type Problem } from './diagnose.js'
import { report } from './report.js'

const MAX_BYTES = 512 * 1024
const CACHE_HEADERS = ['cache-control', 'etag', 'last-modified', 'expires', 'age', 'content-type'] as const

/** What verifiers make of the response's caching and transport (jose's defaults as the yardstick). */
function transportProblems(url: URL, status: number, headers: Headers): Problem[] {
  const problems: Problem[] = []
  if (status !== 200)
    problems.push({ severity: 'error', code: 'status', message: `HTTP ${status}: verifiers accept only 200` })
  const type = headers.get('content-type')?.split(';')[0]?.trim().toLowerCase()
  if (type !== 'application/json' && type !== 'application/jwk-set+json') {
    problems.push({
      severity: 'error',
      code: 'content-type',
      message: `content-type ${type ?? '(none)'}: verifiers accept application/json or application/jwk-set+json`,
    })
  }
  const cacheControl = headers.get('cache-control') ?? ''
  const maxAge = /(?:^|,)\s*max-age=(\d+)/i.exec(cacheControl)?.[1]
  if (/no-store|no-cache/i.test(cacheControl) || maxAge === '0') {
    problems.push({
      severity: 'warning',
      code: 'no-caching',
      message: 'caching is forbidden: every verifier may refetch the set constantly',
    })
  } else if (maxAge === undefined) {
    problems.push({
      severity: 'warning',
      code: 'no-max-age',
      message:
        'no Cache-Control max-age: verifiers fall back to their own default (10 min for @tessera/jose)',
    })
  } else if (Number(maxAge) > 86_400) {
    problems.push({
      severity: 'warning',
      code: 'long-max-age',
      message: `max-age ${humanDuration(Number(maxAge))}: verifiers may not see a new key for that long`,
    })
  }
  if (url.protocol !== 'https:')
    problems.push({
      severity: 'warning',
      code: 'not-https',
      message: 'served over http: fine on loopback, never in production',
    })
  return problems
}

export function addFetch(jwks: Command): void {
  const command = jwks
    .command('fetch')
    .description(
      "fetch an issuer's JWK set: keys, thumbprints, cache headers, and what is wrong with it (exit 1 on errors, 3 when unreachable)",
    )
    .argument('<url>', 'the jwks_uri (https; http only for localhost)')
    .option('--timeout <ms>', 'give up after this many milliseconds', '5000')
  withJSON(command)
  examples(command, [
    'tessera jwks fetch https://auth.example/.well-known/jwks.json',
    'tessera jwks fetch http://localhost:3000/.well-known/jwks.json --json',
  ])
  command.action(async (value: string, options: { json?: boolean; timeout: string }) => {
    const url = checkFetchURL(value, 'url')
    const response = await fetchBounded(url, {
      timeoutMs: Number(options.timeout) || 5000,
      maxBytes: MAX_BYTES,
    })
    const headers: Record<string, string> = {}
    for (const name of CACHE_HEADERS) {
      const header = response.headers.get(name)
      if (header !== null) headers[name] = header
    }
    const problems = transportProblems(url, response.status, response.headers)
    if (response.status >= 300 && response.status < 400) {
      problems.push({
        severity: 'error',
        code: 'redirect',
        message: `redirects to ${response.headers.get('location') ?? '(no location)'}: verifiers refuse redirects`,
      })
    }
    let document: unknown
    try {
      document = JSON.parse(response.body.toString('utf8'))
    } catch {
      document = undefined
    }
    if (document === undefined && response.status === 200) {
      throw failure(`${url.href}: the body is not JSON`)
    }
    const diagnosis = document === undefined ? { keys: [], problems: [] } : await diagnoseSet(document)
    const lines = [
      `GET ${url.href} → ${response.status}, ${response.body.length} bytes`,
      ...Object.entries(headers).map(([name, header]) => `  ${name}: ${header}`),
    ]
    report(
      { keys: diagnosis.keys, problems: [...problems, ...diagnosis.problems] },
      { url: url.href, status: response.status, headers, bytes: response.body.length },
      lines,
      options.json === true,
    )
  })
}
