import { Counter, Gauge, type Registry } from 'prom-client'
import type { PollResult } from './poll-revocations.js'
import type { RevocationState } from './revocation-state.js'

const RESULTS: readonly PollResult[] = ['applied', 'unchanged', 'not_modified', 'refused', 'failed']

/**
 * Revocation metrics on the gateway's registry: polls by result, and whether the held snapshot is
 * stale (with the policy that then applies), so fail-closed or fail-open shows on a dashboard.
 */
export function registerRevocationMetrics(
  registry: Registry,
  state: RevocationState,
): (result: PollResult) => void {
  const registers = [registry]
  const polls = new Counter({
    name: 'tessera_gateway_revocation_polls_total',
    help: 'Revocation snapshot polls by result',
    labelNames: ['result'],
    registers,
  })
  for (const result of RESULTS) polls.inc({ result }, 0)
  new Gauge({
    name: 'tessera_gateway_revocation_stale',
    help: '1 while the revocation snapshot is older than the staleness bound, by the policy then applied',
    labelNames: ['policy'],
    registers,
    collect() {
      const status = state.status()
      this.set({ policy: status.policy }, status.stale ? 1 : 0)
    },
  })
  new Gauge({
    name: 'tessera_gateway_revocation_version',
    help: 'Version of the revocation snapshot held (0 before the first)',
    registers,
    collect() {
      this.set(state.status().version ?? 0)
    },
  })
  return (result) => polls.inc({ result })
}
