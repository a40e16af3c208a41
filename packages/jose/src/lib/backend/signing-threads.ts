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
  /**
   * Most signatures sent to a thread in one batch (1 to 4096; default 8). Small batches come back
   * sooner: the main thread answers one while the thread signs the next.
   */
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
 * lookups and file reads. Signing threads take signatures in batches — those asked for while the
 * threads were busy go together in one message, signed in turn and answered in one message — so
 * under load there is one hand-off per batch instead of per token, on threads nothing else uses.
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
  /** The waiters of each batch sent to this thread and not yet answered, oldest first. */
  readonly inFlight: Waiter[][]
  /** Why the thread stopped, when it threw. */
  failure: string | undefined
  /** Set once the thread exited: nothing more is sent to it; a new thread takes its place. */
  stopped: boolean
}

/** Batches a thread may hold at once: it signs the next while its last answer is being delivered. */
const IN_FLIGHT = 2
/** The shortest time between two restarts of stopped threads. */
const RESTART_INTERVAL_MS = 1000

const unavailable = (reason: string) => new JOSEError('ERR_JOSE_SIGNING_UNAVAILABLE', reason)

function boundedInteger(value: unknown, option: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new TypeError(`"${option}" must be an integer from ${min} to ${max}`)
  }
  return value
}

/**
 * The machinery behind {@link SigningThreads}; created by {@link createSigningThreads} only.
 *
 * A thread holds at most two batches: the one it signs and the next. A signature asked for while a
 * thread has room is sent at once; those asked for while every thread is full wait, and the first
 * thread to answer takes them (up to maxBatch) as its next batch. Under light load a token waits for
 * no batch; under heavy load batches fill by themselves, and no thread idles while signatures wait.
 */
export class ThreadPool implements SigningThreads {
  readonly threads: number
  readonly #maxBatch: number
  readonly #maxQueued: number
  readonly #pool: Thread[] = []
  readonly #keys = new Map<number, RegisteredKey>()
  #nextKey = 0
  /** Signatures not yet sent: key id and signing input in pairs, and their waiters. */
  #jobs: (number | string)[] = []
  #waiters: Waiter[] = []
  /** Keys dropped while signatures still wait: the threads drop them after those are sent. */
  #drops: number[] = []
  #pending = 0
  #closed = false
  #lastRestart = Number.NEGATIVE_INFINITY
  // Signers made with these threads may be dropped without a word: their keys leave the threads then.
  readonly #released = new FinalizationRegistry<number>((id) => this.drop(id))

  constructor(options: SigningThreadsOptions) {
    this.threads = boundedInteger(options.threads, 'threads', 1, 16, 1)
    this.#maxBatch = boundedInteger(options.maxBatch, 'maxBatch', 1, 4096, 8)
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

  /** Removes a key from the threads, after every signature already asked of it. */
  drop(id: number): void {
    if (!this.#keys.delete(id) || this.#closed) return
    // Messages to a thread arrive in order: waiting signatures are sent first (see #send).
    if (this.#waiters.length > 0) this.#drops.push(id)
    else for (const thread of this.#pool) thread.worker.postMessage({ type: 'drop', id })
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
      // Others already waiting means every thread is full (see #fill): nothing to look for.
      if (this.#waiters.length > 1) return
      const ready = this.#pool.find((thread) => !thread.stopped && thread.inFlight.length < IN_FLIGHT)
      if (ready !== undefined) this.#send(ready)
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

  /** Gives a thread waiting signatures until it is full or none wait. */
  #fill(thread: Thread): void {
    while (this.#waiters.length > 0 && !thread.stopped && thread.inFlight.length < IN_FLIGHT)
      this.#send(thread)
  }

  /** Sends a thread with room the waiting signatures as one batch (at most maxBatch of them). */
  #send(thread: Thread): void {
    const count = Math.min(this.#waiters.length, this.#maxBatch)
    if (count === 0 || this.#closed || thread.stopped) return
    let waiters = this.#waiters
    let jobs = this.#jobs
    if (count === waiters.length) {
      this.#waiters = []
      this.#jobs = []
    } else {
      waiters = this.#waiters.splice(0, count)
      jobs = this.#jobs.splice(0, 2 * count)
    }
    thread.inFlight.push(waiters)
    // A thread with a batch keeps the process alive until it answers; an idle one does not.
    if (thread.inFlight.length === 1) thread.worker.ref()
    thread.worker.postMessage({ type: 'sign', jobs } satisfies ThreadRequest)
    if (this.#waiters.length === 0 && this.#drops.length > 0) {
      for (const id of this.#drops)
        for (const each of this.#pool) each.worker.postMessage({ type: 'drop', id } satisfies ThreadRequest)
      this.#drops = []
    }
  }

  #spawn(): Thread {
    // The thread's code is a function of this module, run from its source text: no file to locate
    // beside the compiled module, whichever way the package is loaded or bundled.
    const worker = new Worker(`(${signingThreadMain.toString()})()`, {
      eval: true,
      // None of the parent's flags: `--input-type=module` would make this CommonJS script a module,
      // and per-process flags such as `--max-old-space-size` are refused in a worker's execArgv.
      execArgv: [],
    })
    const thread: Thread = { worker, inFlight: [], failure: undefined, stopped: false }
    worker.unref()
    worker.on('message', (answer: ThreadAnswer) => this.#answer(thread, answer))
    worker.on('error', (error) => {
      thread.failure = error.message
    })
    worker.on('exit', () => {
      thread.stopped = true
      if (this.#closed) return
      this.#fail(thread, `a signing thread stopped${thread.failure ? `: ${thread.failure}` : ''}`)
      // A thread that keeps failing is replaced at most once a second, not in a tight loop.
      const now = Date.now()
      const at = Math.max(now, this.#lastRestart + RESTART_INTERVAL_MS)
      this.#lastRestart = at
      setTimeout(() => {
        const index = this.#pool.indexOf(thread)
        if (!this.#closed && index >= 0) this.#pool[index] = this.#restart()
      }, at - now).unref()
    })
    return thread
  }

  /** A thread in place of one that stopped, holding every key still registered. */
  #restart(): Thread {
    const thread = this.#spawn()
    for (const [id, key] of this.#keys) thread.worker.postMessage({ type: 'key', id, ...key })
    this.#fill(thread)
    return thread
  }

  #answer(thread: Thread, answer: ThreadAnswer): void {
    // A thread answers its batches in the order it was sent them.
    const waiters = thread.inFlight.shift()
    if (waiters === undefined) return
    // The next batches first, so the thread signs them while the answers are delivered here.
    this.#fill(thread)
    if (thread.inFlight.length === 0) thread.worker.unref()
    this.#pending -= waiters.length
    for (let index = 0; index < waiters.length; index++) {
      const waiter = waiters[index] as Waiter
      const signature = answer.signatures[index]
      if (typeof signature === 'string') waiter.resolve(signature)
      else waiter.reject(unavailable(answer.errors[index] ?? 'the signing thread returned no signature'))
    }
  }

  #fail(thread: Thread, reason: string): void {
    for (const waiters of thread.inFlight.splice(0)) {
      this.#pending -= waiters.length
      for (const waiter of waiters) waiter.reject(unavailable(reason))
    }
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
