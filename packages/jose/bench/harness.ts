/**
 * Timing. Every contender of one (algorithm, operation, mode) cell is warmed up, then measured in
 * interleaved rounds (round 1 of every contender, then round 2…), so a noisy neighbour slows all of
 * them alike and the ratios stay meaningful; the reported figure is the median round.
 */
import { performance } from 'node:perf_hooks'

/** One operation: returns a value (sync) or a promise of one (async). The result is kept alive. */
export type Operation = () => unknown

export type Mode = 'sequential' | 'in-flight'

export interface Timing {
  readonly warmupMs: number
  readonly roundMs: number
  readonly rounds: number
  readonly inFlight: number
}

// Many short interleaved rounds rather than a few long ones: on a shared machine a burst of outside load
// then lands in a few rounds of every contender instead of in all of one contender's rounds.
export const FULL: Timing = { warmupMs: 500, roundMs: 250, rounds: 21, inFlight: 64 }
export const QUICK: Timing = { warmupMs: 200, roundMs: 120, rounds: 11, inFlight: 64 }

let sink: unknown
/** Read by nobody; stops the engine from proving a result unused. */
export function blackhole(): unknown {
  return sink
}

/** One at a time: the next operation starts when the previous one has finished. Returns ops/s. */
export async function sequentialRound(op: Operation, ms: number): Promise<number> {
  const start = performance.now()
  const end = start + ms
  let count = 0
  let now = start
  const first = op()
  const isAsync = first instanceof Promise
  sink = isAsync ? await first : first
  count++
  while (now < end) {
    // Read the clock every few operations so timing does not dominate a 1 µs operation.
    for (let i = 0; i < 16; i++) {
      const result = op()
      sink = isAsync ? await result : result
    }
    count += 16
    now = performance.now()
  }
  return (count * 1000) / (now - start)
}

/**
 * `width` operations in flight: each worker starts its next operation when its last one settles. The
 * workers read the clock themselves: a synchronous operation never yields to the event loop, so a timer
 * could not stop them.
 */
export async function inFlightRound(op: Operation, ms: number, width: number): Promise<number> {
  const start = performance.now()
  const end = start + ms
  let count = 0
  const worker = async (): Promise<void> => {
    while (performance.now() < end) {
      sink = await op()
      count++
    }
  }
  await Promise.all(Array.from({ length: width }, worker))
  return (count * 1000) / (performance.now() - start)
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2
}

export interface Measured {
  readonly opsPerSec: number
  readonly rounds: readonly number[]
}

/** Warms up and measures every operation of one cell, interleaved; returns the median per operation. */
export async function measureCell(
  ops: readonly Operation[],
  mode: Mode,
  timing: Timing,
): Promise<Measured[]> {
  const round = (op: Operation, ms: number) =>
    mode === 'sequential' ? sequentialRound(op, ms) : inFlightRound(op, ms, timing.inFlight)
  for (const op of ops) await round(op, timing.warmupMs)
  const results: number[][] = ops.map(() => [])
  for (let r = 0; r < timing.rounds; r++) {
    for (let i = 0; i < ops.length; i++)
      (results[i] as number[]).push(await round(ops[i] as Operation, timing.roundMs))
  }
  return results.map((rounds) => ({ opsPerSec: median(rounds), rounds }))
}
