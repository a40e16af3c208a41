/**
 * The body of a signing thread (see signing-threads.ts). It runs from its source text in a worker,
 * so it must stand alone: it reaches node:crypto and the parent port through `require` and
 * uses nothing else from this module's scope. The messages' types are declared here for both sides.
 */

/** A message to a thread: a key to add or drop, or a batch (key id and signing input, in pairs). */
export type ThreadRequest =
  | { readonly type: 'key'; readonly id: number; readonly hash: string | null; readonly input: unknown }
  | { readonly type: 'drop'; readonly id: number }
  | { readonly type: 'sign'; readonly jobs: readonly (number | string)[] }

/**
 * A thread's answer to a batch, in the order the batches were sent: a base64url signature per job,
 * or null and the reason it failed.
 */
export interface ThreadAnswer {
  readonly signatures: readonly (string | null)[]
  readonly errors: readonly (string | null)[]
}

/** Runs in the worker: keeps the keys it is sent and answers each batch with one message. */
export function signingThreadMain(): void {
  // An eval'd worker is a CommonJS script: `require` is in scope there, and a bundler or test runner
  // that rewrites `import()` in this module's text leaves it alone.
  const { parentPort } = require('node:worker_threads') as typeof import('node:worker_threads')
  const { sign } = require('node:crypto') as typeof import('node:crypto')
  if (parentPort === null) return
  const port = parentPort
  const keys = new Map<number, { hash: string | null; input: Parameters<typeof sign>[2] }>()
  port.on('message', (request: ThreadRequest) => {
    if (request.type === 'key') {
      keys.set(request.id, { hash: request.hash, input: request.input as Parameters<typeof sign>[2] })
      return
    }
    if (request.type === 'drop') {
      keys.delete(request.id)
      return
    }
    const count = request.jobs.length / 2
    const signatures: (string | null)[] = new Array(count).fill(null)
    const errors: (string | null)[] = new Array(count).fill(null)
    for (let index = 0; index < count; index++) {
      const key = keys.get(request.jobs[2 * index] as number)
      if (key === undefined) {
        errors[index] = 'the signing key is no longer registered'
        continue
      }
      try {
        const data = Buffer.from(request.jobs[2 * index + 1] as string, 'latin1')
        signatures[index] = sign(key.hash, data, key.input).toString('base64url')
      } catch (error) {
        errors[index] = error instanceof Error ? error.message : 'signing failed'
      }
    }
    port.postMessage({ signatures, errors } satisfies ThreadAnswer)
  })
}
