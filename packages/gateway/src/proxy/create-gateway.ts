import httpProxy from '@fastify/http-proxy'
import Fastify, { type FastifyInstance } from 'fastify'
import { BffSessions } from '../bff/bff-sessions.js'
import { registerBffRoutes } from '../bff/routes.js'
import { createLogger, type GatewayLogger } from '../lib/log.js'
import { GatewayMetrics } from '../metrics/gateway-metrics.js'
import { serveMetrics } from '../metrics/metrics-server.js'
import { RefusalReporter } from '../metrics/refusal-reporter.js'
import { createDeviceEdge, type DeviceEdge } from '../mqtt/device-edge.js'
import {
  createTokenVerifier,
  type TokenVerifier,
  type VerifierEvent,
} from '../verify/create-token-verifier.js'
import { decryptionOf } from '../verify/decryption.js'
import { createAuthenticateHook } from './authenticate.js'
import {
  createHeaderRewrite,
  createWebSocketHeaderRewrite,
  stripResponseHopByHop,
} from './forward-headers.js'
import type { GatewaySettings } from './settings.js'
import { classifyUpstreamError, replyUpstreamFailure } from './upstream-errors.js'

/**
 * A created gateway: the Fastify app, its verifier, metrics, log and device edge. Nothing listens
 * until listen().
 */
export interface Gateway {
  readonly app: FastifyInstance
  readonly verifier: TokenVerifier
  readonly metrics: GatewayMetrics | undefined
  readonly log: GatewayLogger
  /** Revocation snapshots and MQTT (issue 15). */
  readonly edge: DeviceEdge
  /** Listens on the configured host and port (and the metrics port, MQTT and broker hooks). */
  listen(): Promise<{
    url: string
    metricsUrl: string | undefined
    mqttUrl?: string | undefined
    brokerHooksUrl?: string | undefined
  }>
  close(): Promise<void>
}

/** Options of createGateway that are not settings: where its JSON log lines go (tests capture them). */
export interface CreateGatewayOptions {
  /** Where pino writes its JSON lines (default stdout). */
  logStream?: { write(line: string): unknown }
}

/**
 * The verifying reverse proxy: Fastify + @fastify/http-proxy (undici) in front of one upstream, with
 * the authenticate hook before every proxied request and the identity headers on the way out.
 */
export async function createGateway(
  settings: GatewaySettings,
  options: CreateGatewayOptions = {},
): Promise<Gateway> {
  const metrics =
    settings.metricsPort === undefined ? undefined : new GatewayMetrics({ defaultMetrics: true })
  const reporter =
    settings.report === undefined
      ? undefined
      : new RefusalReporter({
          ...settings.report,
          onError: (error) => log.warn({ err: (error as Error).message }, 'refusal report failed'),
        })
  const observers = [metrics?.observe, reporter?.observe].filter((observe) => observe !== undefined)
  const tokenVerifier = createTokenVerifier({
    issuer: settings.issuer,
    audience: settings.audience,
    algorithms: settings.algorithms,
    clockTolerance: settings.clockTolerance,
    allowInsecureHttp: settings.allowInsecureHttp,
    ...(settings.jwksUri !== undefined ? { jwksUri: settings.jwksUri } : {}),
    ...(settings.typ !== undefined ? { typ: settings.typ } : {}),
    ...(observers.length > 0
      ? {
          onEvent: (event: VerifierEvent) => {
            for (const observe of observers) observe(event)
          },
        }
      : {}),
    ...decryptionOf(settings),
  })
  const edge = createDeviceEdge(settings, tokenVerifier, metrics)
  const verifier = edge.verifier
  const log = createLogger(settings.logLevel, options.logStream)
  const app = Fastify({
    // Logging is the gateway's own (lib/log.ts): one line per refusal, none per request.
    logger: false,
    // A proxy passes bodies through as streams; nothing is buffered, so no body limit applies here.
    return503OnClosing: true,
  })
  const bff = settings.bff ? new BffSessions(settings.bff, settings, verifier) : undefined
  if (bff) await registerBffRoutes(app, bff, log)

  app.decorateRequest('tesseraAdmission', null)
  app.addHook('onRequest', createAuthenticateHook({ verifier, routes: settings.routes, metrics, bff, log }))
  const forward = {
    forwardAuthorization: settings.forwardAuthorization,
    forwardClaims: settings.forwardClaims,
    stripCookie: bff ? (cookie: string) => bff.stripSessionCookie(cookie) : undefined,
  }
  // The proxy's types omit this option it documents and reads (index.js, WebSocketProxy).
  const wsClientOptions = {
    handshakeTimeout: settings.upstreamTimeoutMs,
    rewriteRequestHeaders: createWebSocketHeaderRewrite(forward),
  }
  await app.register(httpProxy, {
    upstream: settings.upstream,
    prefix: '/',
    websocket: true,
    undici: {
      connections: 128,
      pipelining: 1,
      connectTimeout: settings.connectTimeoutMs,
      headersTimeout: settings.upstreamTimeoutMs,
      bodyTimeout: settings.upstreamTimeoutMs,
    },
    replyOptions: {
      rewriteRequestHeaders: createHeaderRewrite(forward),
      rewriteHeaders: stripResponseHopByHop,
      onError: (reply, { error }) => {
        const failure = classifyUpstreamError(error)
        metrics?.upstreamError(failure)
        log.warn({ upstream: failure, code: (error as { code?: string }).code }, 'upstream failed')
        replyUpstreamFailure(reply, failure)
      },
    },
    wsClientOptions,
  })

  let metricsServer: { close(): Promise<void> } | undefined
  return {
    app,
    verifier,
    metrics,
    log,
    edge,
    async listen() {
      const url = await app.listen({ host: settings.host, port: settings.port })
      let metricsUrl: string | undefined
      if (metrics && settings.metricsPort !== undefined) {
        const server = await serveMetrics(metrics, settings.host, settings.metricsPort)
        metricsServer = server
        metricsUrl = `http://${settings.host.includes(':') ? `[${settings.host}]` : settings.host}:${server.port}/metrics`
      }
      reporter?.start()
      // Warm the keys; a failure is not fatal: requests answer 503 until the issuer is reachable.
      verifier.ready().catch((error: unknown) => {
        log.warn({ err: (error as Error).message }, 'issuer keys not available yet')
      })
      return { url, metricsUrl, ...(await edge.listen(log)) }
    },
    async close() {
      await reporter?.stop()
      await edge.close()
      await metricsServer?.close()
      await app.close()
    },
  }
}
