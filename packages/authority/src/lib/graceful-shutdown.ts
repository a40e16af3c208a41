import {
  createServer,
  type Server as HttpServer,
  type IncomingMessage,
  type ServerOptions,
  type ServerResponse,
} from 'node:http'
import { Server, type Socket } from 'node:net'
import type { FastifyBaseLogger } from 'fastify'

/** What a draining server answers to anything new: the standard error body, and "go elsewhere". */
const DRAINING_BODY = JSON.stringify({
  error: 'temporarily_unavailable',
  error_description: 'the server is shutting down; retry the request',
})

/**
 * How long the draining server must see no new connection or request before it stops listening.
 * Closing the listening socket resets every connection still in the kernel's accept queue, and
 * closing an accepted socket whose request is unread resets that request: the server keeps accepting
 * and answering (503) until the queue has stayed empty this long. A balancer's readiness probe, which
 * also gets 503, stops sending meanwhile.
 */
const QUIET_MS = 100

/** On a socket: the response to the latest request read on it (the one that may close it). */
const LATEST = Symbol('latest response')
type TrackedSocket = Socket & { [LATEST]?: ServerResponse | undefined }

/** The options Fastify hands its serverFactory (its own, processed). */
interface FactoryOptions {
  http?: ServerOptions
  keepAliveTimeout?: number
  requestTimeout?: number
  connectionTimeout?: number
}

/**
 * Takes a request and returns true — it then answers it, at once or later — or returns false, having
 * read nothing, to leave it to Fastify.
 */
export type FastRoute = (request: IncomingMessage, response: ServerResponse) => boolean

/**
 * The HTTP server in front of Fastify (its `serverFactory`): drain machinery for a rolling deploy,
 * and a few routes answered before Fastify's routing and hooks.
 *
 * A signal must neither hang the process (keep-alive connections used to hold the server open until
 * their keep-alive timeout) nor reset a request the server has read or accepted. Every request is
 * tracked here, at the raw request event, so the tracking costs no Fastify hook; while draining, a new
 * request is answered 503 here, before Fastify sees it.
 *
 * Fast routes (the JWKS, the token endpoint's plain requests) skip Fastify's per-request machinery;
 * each answer they complete is reported to `onAnswer` (the request metrics).
 */
export class FrontDoor {
  #server: HttpServer | undefined
  #inFlight = 0
  #draining = false
  #lastActivity = 0
  #changed: (() => void) | undefined
  readonly #open = new Set<ServerResponse>()
  /** Responses told to close their connection when the drain began. */
  readonly #closing = new Set<ServerResponse>()
  readonly #fast = new Map<string, FastRoute>()
  #onAnswer: ((route: string, method: string, status: number) => void) | undefined

  /** Fastify's serverFactory: node:http with the timeouts Fastify would set on its own server. */
  readonly serverFactory = (
    handler: (request: IncomingMessage, response: ServerResponse) => void,
    options: FactoryOptions,
  ): HttpServer => {
    const server = createServer(options.http ?? {}, (request, response) =>
      this.#dispatch(request, response, handler),
    )
    server.keepAliveTimeout = options.keepAliveTimeout ?? 72_000
    server.requestTimeout = options.requestTimeout ?? 0
    server.setTimeout(options.connectionTimeout ?? 0)
    server.on('connection', () => {
      this.#lastActivity = performance.now()
    })
    this.#server = server
    return server
  }

  /**
   * Answers `method path` (the exact request target, no query) with `route` ahead of Fastify; the
   * path must be registered in Fastify too, which answers whatever `route` leaves (returns false for).
   */
  route(method: string, path: string, route: FastRoute): void {
    this.#fast.set(`${method} ${path}`, route)
  }

  /** Called with the route, method and status of every answer a fast route gives. */
  onAnswer(observe: (route: string, method: string, status: number) => void): void {
    this.#onAnswer = observe
  }

  /** Requests whose headers arrived and whose response has not finished (or been aborted). */
  count(): number {
    return this.#inFlight
  }

  #dispatch(
    request: IncomingMessage,
    response: ServerResponse,
    handler: (request: IncomingMessage, response: ServerResponse) => void,
  ): void {
    this.#inFlight++
    this.#open.add(response)
    const socket = request.socket as TrackedSocket
    const previous = socket[LATEST]
    socket[LATEST] = response
    // A fast route's answer is counted when it is complete, with its final status (an async route
    // sets it later); a response the client cut off is not an answer.
    let fastAnswer = false
    // 'close' fires once the response is sent or the client went away: either way it is over.
    response.once('close', () => {
      if (fastAnswer && response.writableFinished) {
        this.#onAnswer?.(request.url as string, request.method as string, response.statusCode)
      }
      this.#inFlight--
      this.#open.delete(response)
      this.#closing.delete(response)
      if (socket[LATEST] === response) socket[LATEST] = undefined
      if (this.#draining) {
        this.#lastActivity = performance.now()
        this.#changed?.()
      }
    })
    if (this.#draining) {
      this.#lastActivity = performance.now()
      // A request pipelined behind one not yet answered: that one keeps the connection open for
      // this answer, which closes it instead.
      if (previous !== undefined && this.#closing.delete(previous) && !previous.headersSent) {
        previous.shouldKeepAlive = true
      }
      response.shouldKeepAlive = false
      response.writeHead(503, {
        'content-type': 'application/json; charset=utf-8',
        'cache-control': 'no-store',
        'retry-after': '1',
        'content-length': Buffer.byteLength(DRAINING_BODY),
      })
      response.end(DRAINING_BODY)
      return
    }
    const fast = request.method === undefined ? undefined : this.#fast.get(`${request.method} ${request.url}`)
    if (fast?.(request, response)) {
      fastAnswer = true
      return
    }
    handler(request, response)
  }

  /**
   * Answers new requests with 503 and `Connection: close` while it keeps accepting, until the server
   * has been quiet for a moment (nothing in flight, no new connection or request); then stops
   * listening, closes the idle connections and waits for the rest — at most `timeoutMs` in all,
   * after which the connections still open are closed. Resolves with how many requests it abandoned
   * that way (0 when everything drained).
   */
  async drain(timeoutMs: number, log: FastifyBaseLogger): Promise<number> {
    this.#draining = true
    // Each answer still to come ends its connection, unless a request is pipelined behind it.
    for (const response of this.#open) {
      const socket = response.req.socket as TrackedSocket | null
      if (!response.headersSent && socket?.[LATEST] === response && response.shouldKeepAlive) {
        response.shouldKeepAlive = false
        this.#closing.add(response)
      }
    }
    const server = this.#server
    if (server === undefined || !server.listening) return 0
    const deadline = performance.now() + timeoutMs
    await this.#quiet(deadline)
    // Stop listening only: http.Server#close would also destroy the connections it deems idle,
    // including accepted ones whose request is not parsed yet. Resolves once every connection ended.
    const closed = new Promise<void>((resolve) => Server.prototype.close.call(server, () => resolve()))
    server.closeIdleConnections()
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<'deadline'>((resolve) => {
      timer = setTimeout(() => resolve('deadline'), Math.max(0, deadline - performance.now()))
    })
    const outcome = await Promise.race([closed, late])
    clearTimeout(timer)
    if (outcome !== 'deadline') return 0
    const abandoned = this.#inFlight
    log.warn({ abandoned }, 'drain deadline passed; closing the connections still in flight')
    // Connections the deadline cut short: nothing useful is left on them.
    server.closeAllConnections()
    await closed
    return abandoned
  }

  /** Resolves once nothing is in flight and nothing new came for QUIET_MS, or at `deadline`. */
  #quiet(deadline: number): Promise<void> {
    return new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined
      let settled = false
      const isQuiet = () => this.#inFlight === 0 && performance.now() - this.#lastActivity >= QUIET_MS
      const settle = () => {
        settled = true
        this.#changed = undefined
        clearTimeout(timer)
        resolve()
      }
      const check = () => {
        if (settled) return
        clearTimeout(timer)
        const now = performance.now()
        if (now >= deadline) return settle()
        if (isQuiet()) {
          // A timer can fire before the poll phase that accepts queued connections and reads their
          // requests; look again after it (setImmediate runs after the poll phase).
          setImmediate(() => (isQuiet() ? settle() : check()))
          return
        }
        const wait = this.#inFlight === 0 ? QUIET_MS - (now - this.#lastActivity) : deadline - now
        timer = setTimeout(check, Math.min(Math.max(wait, 1), deadline - now))
      }
      this.#changed = check
      setImmediate(check)
    })
  }
}

export interface SignalShutdown {
  log: FastifyBaseLogger
  /** The orderly shutdown: drain, flush, close storage. */
  close(): Promise<void>
  /** Requests still in flight, for the log line of a missed deadline. */
  inFlight(): number
  /** From the signal: past it the process exits anyway, with status 1. */
  hardDeadlineMs: number
}

/**
 * SIGTERM and SIGINT start the orderly shutdown once; the process exits 0 when it completes, or 1
 * when it fails or the hard deadline passes first — logging what was abandoned.
 */
export function exitOnSignals(options: SignalShutdown): void {
  const { log } = options
  const onSignal = (signal: NodeJS.Signals) => {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    log.info({ signal }, 'shutting down')
    setTimeout(() => {
      log.error(
        { abandoned: options.inFlight() },
        'shutdown deadline passed; exiting with requests, audit writes or storage still open',
      )
      process.exit(1)
    }, options.hardDeadlineMs).unref()
    options.close().then(
      () => {
        log.info('shutdown complete')
        process.exit(0)
      },
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed')
        process.exit(1)
      },
    )
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
}
