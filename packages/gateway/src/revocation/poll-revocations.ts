import { RevocationError } from './revocation-error.js'
import type { RevocationState } from './revocation-state.js'
import type { RevocationSnapshot } from './snapshot.js'

/**
 * The outcome of one revocation poll, for metrics: a newer snapshot applied, the same one again, a
 * 304, a snapshot refused, or a failed fetch.
 */
export type PollResult = 'applied' | 'unchanged' | 'not_modified' | 'refused' | 'failed'

/**
 * Options of RevocationPoller: the snapshot URL, how snapshots are verified, the state they update and
 * the poll's bounds.
 */
export interface RevocationPollerOptions {
  /** The authority's snapshot endpoint (`revocations_endpoint` in its metadata). */
  readonly url: string
  readonly verify: (jwt: string) => Promise<RevocationSnapshot>
  readonly state: RevocationState
  /** Default 5000 ms. */
  readonly intervalMs?: number
  /** Bound on one fetch. Default 3000 ms. */
  readonly timeoutMs?: number
  /** Largest accepted body, enforced while it streams in. Default 16 MiB. */
  readonly maxBytes?: number
  /**
   * After every poll, e.g. to disconnect MQTT sessions that are now revoked: a new snapshot may list
   * them, and a failed one may have left the state stale under the closed policy.
   */
  readonly afterPoll?: () => void
  /** Every poll's outcome, with the error code when it failed (for metrics and logs). */
  readonly onPoll?: (result: PollResult, code?: string) => void
}

async function readBounded(response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN)
  if (declared > maxBytes)
    throw new RevocationError('ERR_REVOCATION_TOO_LARGE', 'revocation snapshot too large')
  const chunks: Uint8Array[] = []
  let size = 0
  if (response.body) {
    for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
      size += chunk.byteLength
      if (size > maxBytes)
        throw new RevocationError('ERR_REVOCATION_TOO_LARGE', 'revocation snapshot too large')
      chunks.push(chunk)
    }
  }
  return Buffer.concat(chunks).toString('utf8')
}

/**
 * Polls the authority's revocation snapshot with If-None-Match, verifies what comes back and
 * applies it. One poll at a time; a failed poll leaves the held snapshot in place and lets the
 * state's staleness decide.
 */
export class RevocationPoller {
  readonly #options: RevocationPollerOptions
  #etag: string | undefined
  #timer: NodeJS.Timeout | undefined
  #running: Promise<PollResult> | undefined

  constructor(options: RevocationPollerOptions) {
    const url = new URL(options.url)
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TypeError('"url" must be http(s)')
    const interval = options.intervalMs ?? 5000
    if (!Number.isFinite(interval) || interval < 100) throw new TypeError('"intervalMs" must be at least 100')
    this.#options = options
  }

  start(): void {
    if (this.#timer) return
    const tick = () => {
      void this.poll().finally(() => {
        if (this.#timer) this.#timer = setTimeout(tick, this.#options.intervalMs ?? 5000).unref()
      })
    }
    this.#timer = setTimeout(tick, 0).unref()
  }

  stop(): void {
    clearTimeout(this.#timer)
    this.#timer = undefined
  }

  /** One poll now (shared with one already running). */
  poll(): Promise<PollResult> {
    this.#running ??= this.#poll().finally(() => {
      this.#running = undefined
    })
    return this.#running
  }

  async #poll(): Promise<PollResult> {
    const { state, onPoll } = this.#options
    let result: PollResult
    let code: string | undefined
    try {
      result = await this.#fetchAndApply()
    } catch (error) {
      code = error instanceof RevocationError ? error.code : 'ERR_REVOCATION_FETCH_FAILED'
      result =
        code === 'ERR_REVOCATION_INVALID' || code === 'ERR_REVOCATION_OLDER_VERSION' ? 'refused' : 'failed'
    }
    if (result === 'not_modified') state.confirm()
    onPoll?.(result, code)
    this.#options.afterPoll?.()
    return result
  }

  async #fetchAndApply(): Promise<PollResult> {
    const { url, verify, state, timeoutMs = 3000, maxBytes = 16 * 1024 * 1024 } = this.#options
    let response: Response
    try {
      response = await fetch(url, {
        headers: { accept: 'application/jwt', ...(this.#etag ? { 'if-none-match': this.#etag } : {}) },
        redirect: 'error',
        signal: AbortSignal.timeout(timeoutMs),
      })
    } catch (error) {
      throw new RevocationError('ERR_REVOCATION_FETCH_FAILED', 'revocation snapshot fetch failed', {
        cause: error,
      })
    }
    if (response.status === 304 && this.#etag !== undefined) {
      await response.body?.cancel()
      return 'not_modified'
    }
    if (response.status !== 200) {
      await response.body?.cancel()
      throw new RevocationError(
        'ERR_REVOCATION_FETCH_FAILED',
        `revocation snapshot answered ${response.status}`,
      )
    }
    const text = (await readBounded(response, maxBytes)).trim()
    const snapshot = await verify(text)
    const changed = state.apply(snapshot)
    this.#etag = response.headers.get('etag') ?? undefined
    return changed ? 'applied' : 'unchanged'
  }
}
