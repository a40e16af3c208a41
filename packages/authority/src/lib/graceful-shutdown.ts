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
   * Stops accepting connections, answers new requests on open connections with 503 and
   * `Connection: close`, closes each connection once its answer is sent, and waits for the requests
   * in flight — at most `timeoutMs`, after which the connections still open are closed. Resolves with
   * how many requests it abandoned that way (0 when everything drained).
   */
  drain(timeoutMs: number): Promise<number>
}

/**
 * Drain machinery for a rolling deploy: a signal must neither hang the process (keep-alive
 * connections used to hold the server open until their keep-alive timeout) nor reset the requests in
 * flight. Register before the routes, so the hooks see every request.
 */
export function trackInFlight(app: FastifyInstance, log: FastifyBaseLogger): InFlight {
  let inFlight = 0
  let draining = false
  let settled: (() => void) | undefined

  app.addHook('onRequest', (_request, reply, done) => {
    if (draining) {
      reply
        .code(503)
        .header('connection', 'close')
        .header('retry-after', '1')
        .header('cache-control', 'no-store')
        .type('application/json')
        .send(DRAINING_BODY)
      return
    }
    inFlight++
    // 'close' fires once the response is sent or the client went away: either way it is over.
    reply.raw.once('close', () => {
      inFlight--
      if (draining && inFlight === 0) settled?.()
    })
    done()
  })
  app.addHook('onSend', (_request, reply, payload, done) => {
    // An answer sent while draining ends its connection, so no keep-alive socket outlives the drain.
    if (draining) reply.header('connection', 'close')
    done(null, payload)
  })

  return {
    count: () => inFlight,
    async drain(timeoutMs) {
      draining = true
      const server = app.server
      // Node's close() stops listening and closes the idle keep-alive connections at once.
      const closed = new Promise<void>((resolve) => {
        if (!server.listening) return resolve()
        server.close(() => resolve())
      })
      const drained = new Promise<void>((resolve) => {
        settled = resolve
        if (inFlight === 0) resolve()
      })
      let timer: NodeJS.Timeout | undefined
      const deadline = new Promise<'deadline'>((resolve) => {
        timer = setTimeout(() => resolve('deadline'), timeoutMs)
      })
      const outcome = await Promise.race([drained, deadline])
      clearTimeout(timer)
      let abandoned = 0
      if (outcome === 'deadline') {
        abandoned = inFlight
        log.warn({ abandoned }, 'drain deadline passed; closing the connections still in flight')
      }
      // Connections that finished their last answer but were not idle when close() ran, and any the
      // deadline cut short: nothing useful is left on them.
      server.closeAllConnections()
      await closed
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
