import type { KeyObject } from 'node:crypto'
import { Worker } from 'node:worker_threads'
import { JOSEError } from '../../errors.js'
import type { SigningAlgorithm } from '../../jwa/signing-algorithms.js'
import { assertKnownOptions, declareOptions } from '../options.js'
import { signingKeyInput } from './signing.js'
import { signingThreadMain, type ThreadAnswer, type ThreadRequest } from './signing-thread-main.js'

/** Options of createSigningThreads. */
export interface SigningThreadsOptions {
  /** Worker threads that sign (1 to 16; default 1). */
  threads?: number
  /** Most signatures sent to a thread in one message (1 to 4096; default 256). */
  maxBatch?: number
  /** Most signatures waiting at once; beyond it a signature fails at once (default 65,536). */
  maxQueued?: number
}

const SIGNING_THREADS_OPTIONS = declareOptions<SigningThreadsOptions>({
  threads: true,
  maxBatch: true,
  maxQueued: true,
})

/**
 * Worker threads that sign JWS for signers made with `createJWTSigner({ threads })`.
 *
 * Node's own async signing hands each signature to the libuv pool as its own job: the event loop
 * wakes a pool thread and is woken back once per signature, and the same pool also serves DNS
 * lookups and file reads. Signing threads collect the signatures asked for in one turn of the event
 * loop and send them to a thread in one message, which signs them in turn and answers in one
 * message: one hand-off per batch instead of per token, on threads nothing else uses.
 */
export interface SigningThreads {
  /** How many worker threads sign. */
  readonly threads: number
  /** Signatures sent or waiting to be sent, not yet answered. */
  readonly pending: number
  /**
   * Stops the threads. Signatures still waiting fail with ERR_JOSE_SIGNING_UNAVAILABLE, and so does
   * every later call of a signer made with these threads.
   */
  close(): Promise<void>
}

/** What the threads need to sign with one key: node:crypto's arguments, cloned to each thread. */
interface RegisteredKey {
  readonly hash: string | null
  readonly input: unknown
}

interface Waiter {
  resolve(signature: string): void
  reject(error: Error): void
}

interface Thread {
  worker: Worker
  /** Batches sent to this thread, by number, with the waiter of each of their jobs. */
  readonly batches: Map<number, Waiter[]>
  /** Why the thread stopped, when it threw. */
  failure: string | undefined
}

const unavailable = (reason: string) => new JOSEError('ERR_JOSE_SIGNING_UNAVAILABLE', reason)

function boundedInteger(value: unknown, option: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new TypeError(`"${option}" must be an integer from ${min} to ${max}`)
  }
  return value
}

/** The machinery behind {@link SigningThreads}; created by {@link createSigningThreads} only. */
export class ThreadPool implements SigningThreads {
  readonly threads: number
  readonly #maxBatch: number
  readonly #maxQueued: number
  readonly #pool: Thread[] = []
  readonly #keys = new Map<number, RegisteredKey>()
  #nextKey = 0
  #nextBatch = 0
  #turn = 0
  #jobs: (number | string)[] = []
  #waiters: Waiter[] = []
  #scheduled = false
  #pending = 0
  #closed = false
  // Signers made with these threads may be dropped without a word: their keys leave the threads then.
  readonly #released = new FinalizationRegistry<number>((id) => this.drop(id))

  constructor(options: SigningThreadsOptions) {
    this.threads = boundedInteger(options.threads, 'threads', 1, 16, 1)
    this.#maxBatch = boundedInteger(options.maxBatch, 'maxBatch', 1, 4096, 256)
    this.#maxQueued = boundedInteger(options.maxQueued, 'maxQueued', 1, 1 << 24, 65_536)
    for (let index = 0; index < this.threads; index++) this.#pool.push(this.#spawn())
  }

  get pending(): number {
    return this.#pending
  }

  /** Sends the key to every thread; returns its id. `owner` is the signer whose loss drops it. */
  register(alg: SigningAlgorithm, key: KeyObject, owner: object): number {
    if (this.#closed) throw unavailable('the signing threads are closed')
    const id = this.#nextKey++
    const registered: RegisteredKey = { hash: alg.hash, input: signingKeyInput(alg, key) }
    this.#keys.set(id, registered)
    for (const thread of this.#pool) thread.worker.postMessage({ type: 'key', id, ...registered })
    this.#released.register(owner, id)
    return id
  }

  drop(id: number): void {
    if (!this.#keys.delete(id) || this.#closed) return
    // After the batch being collected, which may still name the key: messages arrive in order.
    this.#flush()
    for (const thread of this.#pool) thread.worker.postMessage({ type: 'drop', id })
  }

  /** The base64url signature of `input` (an ASCII signing input) by the registered key `id`. */
  sign(id: number, input: string): Promise<string> {
    if (this.#closed) return Promise.reject(unavailable('the signing threads are closed'))
    if (this.#pending >= this.#maxQueued) {
      return Promise.reject(unavailable(`more than ${this.#maxQueued} signatures are waiting`))
    }
    return new Promise<string>((resolve, reject) => {
      this.#jobs.push(id, input)
      this.#waiters.push({ resolve, reject })
      this.#pending++
      if (this.#waiters.length >= this.#maxBatch) this.#flush()
      else if (!this.#scheduled) {
        this.#scheduled = true
        // After the poll phase: every request read in this turn of the loop joins the batch.
        setImmediate(() => this.#flush())
      }
    })
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    const waiting = this.#waiters
    this.#pending -= waiting.length
    this.#jobs = []
    this.#waiters = []
    for (const waiter of waiting) waiter.reject(unavailable('the signing threads are closed'))
    await Promise.all(
      this.#pool.map(async (thread) => {
        await thread.worker.terminate()
        this.#fail(thread, 'the signing threads are closed')
      }),
    )
  }

  #flush(): void {
    this.#scheduled = false
    if (this.#waiters.length === 0 || this.#closed) return
    const thread = this.#pool[this.#turn++ % this.#pool.length] as Thread
    const batch = this.#nextBatch++
    if (thread.batches.size === 0) thread.worker.ref()
    thread.batches.set(batch, this.#waiters)
    thread.worker.postMessage({ type: 'sign', batch, jobs: this.#jobs } satisfies ThreadRequest)
    this.#jobs = []
    this.#waiters = []
  }

  #spawn(): Thread {
    // The thread's code is a function of this module, run from its source text: no file to locate
    // beside the compiled module, whichever way the package is loaded or bundled.
    const worker = new Worker(`(${signingThreadMain.toString()})()`, {
      eval: true,
      // The code is a CommonJS script whatever the parent's `--input-type` says.
      execArgv: process.execArgv.filter((flag) => !flag.startsWith('--input-type')),
    })
    const thread: Thread = { worker, batches: new Map(), failure: undefined }
    // An idle thread must not keep the process alive; one with batches in flight does (see #flush).
    worker.unref()
    worker.on('message', (answer: ThreadAnswer) => this.#answer(thread, answer))
    worker.on('error', (error) => {
      thread.failure = error.message
    })
    worker.on('exit', () => {
      if (this.#closed) return
      this.#fail(thread, `a signing thread stopped${thread.failure ? `: ${thread.failure}` : ''}`)
      const index = this.#pool.indexOf(thread)
      if (index >= 0) this.#pool[index] = this.#restart()
    })
    return thread
  }

  /** A thread in place of one that stopped, holding every key still registered. */
  #restart(): Thread {
    const thread = this.#spawn()
    for (const [id, key] of this.#keys) thread.worker.postMessage({ type: 'key', id, ...key })
    return thread
  }

  #answer(thread: Thread, answer: ThreadAnswer): void {
    const waiters = thread.batches.get(answer.batch)
    if (waiters === undefined) return
    thread.batches.delete(answer.batch)
    if (thread.batches.size === 0) thread.worker.unref()
    this.#pending -= waiters.length
    for (let index = 0; index < waiters.length; index++) {
      const waiter = waiters[index] as Waiter
      const signature = answer.signatures[index]
      if (typeof signature === 'string') waiter.resolve(signature)
      else waiter.reject(unavailable(answer.errors[index] ?? 'the signing thread returned no signature'))
    }
  }

  #fail(thread: Thread, reason: string): void {
    for (const waiters of thread.batches.values()) {
      this.#pending -= waiters.length
      for (const waiter of waiters) waiter.reject(unavailable(reason))
    }
    thread.batches.clear()
  }
}

/**
 * Starts worker threads for asymmetric JWS signing; pass them to `createJWTSigner({ threads })`.
 * Close them when done (signers fail with ERR_JOSE_SIGNING_UNAVAILABLE afterwards). HMAC signers
 * ignore them: a MAC is cheaper than the hand-off.
 *
 * @example
 * import { createJWTSigner, createSigningThreads, generateKeyPair } from '@tessera/jose'
 * const threads = createSigningThreads({ threads: 2 })
 * const { privateKey } = await generateKeyPair('ES256')
 * const sign = createJWTSigner({ key: privateKey, alg: 'ES256', expiresIn: '15m', threads })
 * const token = await sign({ sub: 'user-1' })
 * await threads.close()
 */
export function createSigningThreads(options: SigningThreadsOptions = {}): SigningThreads {
  if (typeof options !== 'object' || options === null) throw new TypeError('"options" must be an object')
  assertKnownOptions(options, SIGNING_THREADS_OPTIONS, 'createSigningThreads')
  return new ThreadPool(options)
}

/** The pool behind a SigningThreads value, or a TypeError naming `option` for anything else. */
export function threadPoolOf(value: unknown, option: string): ThreadPool {
  if (!(value instanceof ThreadPool)) {
    throw new TypeError(`"${option}" must be signing threads from createSigningThreads()`)
  }
  return value
}
