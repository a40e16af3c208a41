import type { KeyResolver } from '@tessera/jose'
import type { TokenVerifier } from '../verify/create-token-verifier.js'
import { type PollResult, RevocationPoller } from './poll-revocations.js'
import { RevocationState } from './revocation-state.js'
import type { RevocationSettings } from './settings.js'
import { createSnapshotVerifier } from './verify-snapshot.js'

export interface RunningRevocation {
  readonly state: RevocationState
  readonly poller: RevocationPoller
}

/**
 * The state and its poller (call `poller.start()`): snapshots are verified with the same issuer
 * keys as the access tokens (the verifier's JWK set, discovered on first use).
 */
export function createRevocation(
  settings: RevocationSettings,
  verifier: TokenVerifier,
  options: {
    algorithms: readonly string[]
    clockTolerance: number
    onPoll?: (result: PollResult, code?: string) => void
    afterPoll?: () => void
  },
): RunningRevocation {
  const state = new RevocationState({
    maxStaleness: settings.maxStalenessMs,
    onStale: settings.onStale,
    clockTolerance: Math.max(options.clockTolerance, 5),
  })
  const keys: KeyResolver<string> = async (header, token) => {
    await verifier.ready()
    const set = verifier.keys
    if (!set) throw new Error('the issuer keys are not available')
    return set(header, token)
  }
  const poller = new RevocationPoller({
    url: settings.url,
    verify: createSnapshotVerifier({
      keys,
      issuer: verifier.issuer,
      algorithms: options.algorithms,
      clockTolerance: options.clockTolerance,
    }),
    state,
    intervalMs: settings.intervalMs,
    ...(options.onPoll ? { onPoll: options.onPoll } : {}),
    ...(options.afterPoll ? { afterPoll: options.afterPoll } : {}),
  })
  return { state, poller }
}
