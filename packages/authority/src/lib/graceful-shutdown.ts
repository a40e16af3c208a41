import type { IncomingMessage, ServerResponse } from 'node:http'
import { Server, type Socket } from 'node:net'
import type { FastifyBaseLogger, FastifyInstance } from 'fastify'

/** What a draining server answers to anything new: the standard error body, and "go elsewhere". */
const DRAINING_BODY = JSON.stringify({
  error: 'temporarily_unavailable',
  error_description: 'the server is shutting down; retry the request',
})

export interface InFlight {
  /** Requests whose headers arrived and whose response has not finished (or been aborted). */
  count(): number
  /**
   * Answers new requests with 503 and `Connection: close` while it keeps accepting, until the server
   * has been quiet for a moment (nothing in flight, no new connection or request); then stops
   * listening, closes the idle connections and waits for the rest — at most `timeoutMs` in all,
   * after which the connections still open are closed. Resolves with how many requests it abandoned
   * that way (0 when everything drained).
   */
  drain(timeoutMs: number): Promise<number>
}

/**
 * How long the draining server must see no new connection or request before it stops listening.
 * Closing the listening socket resets every connection still in the kernel's accept queue, and
 * closing an accepted socket whose request is unread resets that request: the server keeps accepting
 * and answering (503) until the queue has stayed empty this long. A balancer's readiness probe, which
 * also gets 503, stops sending meanwhile.
 */
const QUIET_MS = 100

/** Per connection: its requests not yet answered, and the latest one (the one that may close it). */
interface Connection {
  open: number
  latest: IncomingMessage | undefined
}

/**
 * Drain machinery for a rolling deploy: a signal must neither hang the process (keep-alive
 * connections used to hold the server open until their keep-alive timeout) nor reset a request the
 * server has read or accepted. Register before the routes, so the hooks see every request.
 */
export function trackInFlight(app: FastifyInstance, log: FastifyBaseLogger): InFlight {
  let inFlight = 0
  let draining = false
  let lastActivity = 0
  let changed: (() => void) | undefined
  const connections = new WeakMap<Socket, Connection>()
  const server = app.server

  server.on('connection', () => {
    lastActivity = performance.now()
  })
  // Ahead of Fastify's own listener, so a request is counted before any hook can answer it.
  server.prependListener('request', (request: IncomingMessage, response: ServerResponse) => {
    lastActivity = performance.now()
    inFlight++
    let connection = connections.get(request.socket)
    if (connection === undefined) {
      connection = { open: 0, latest: undefined }
      connections.set(request.socket, connection)
    }
    connection.open++
    connection.latest = request
    const tracked = connection
    // 'close' fires once the response is sent or the client went away: either way it is over.
    response.once('close', () => {
      inFlight--
      tracked.open--
      if (tracked.latest === request) tracked.latest = undefined
      lastActivity = performance.now()
      changed?.()
    })
  })

  app.addHook('onRequest', (_request, reply, done) => {
    if (!draining) return done()
    reply
      .code(503)
      .header('retry-after', '1')
      .header('cache-control', 'no-store')
      .type('application/json')
      .send(DRAINING_BODY)
  })
  app.addHook('onSend', (request, reply, payload, done) => {
    // While draining, the last request read on a connection ends it, so no keep-alive socket outlives
    // the drain; one with a request pipelined behind it stays open for that request's answer.
    if (draining && connections.get(request.raw.socket)?.latest === request.raw) {
      reply.header('connection', 'close')
    }
    done(null, payload)
  })

  /** Resolves once nothing is in flight and nothing new came for QUIET_MS, or at `deadline`. */
  const quiet = (deadline: number) =>
    new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined
      let settled = false
      const isQuiet = () => inFlight === 0 && performance.now() - lastActivity >= QUIET_MS
      const settle = () => {
        settled = true
        changed = undefined
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
        const wait = inFlight === 0 ? QUIET_MS - (now - lastActivity) : deadline - now
        timer = setTimeout(check, Math.min(Math.max(wait, 1), deadline - now))
      }
      changed = check
      setImmediate(check)
    })

  return {
    count: () => inFlight,
    async drain(timeoutMs) {
      draining = true
      if (!server.listening) return 0
      const deadline = performance.now() + timeoutMs
      await quiet(deadline)
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
      let abandoned = 0
      if (outcome === 'deadline') {
        abandoned = inFlight
        log.warn({ abandoned }, 'drain deadline passed; closing the connections still in flight')
        // Connections the deadline cut short: nothing useful is left on them.
        server.closeAllConnections()
        await closed
      }
      return abandoned
    },
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
