import { hkdfSync, randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify'
import { registerAdmin } from './admin/routes.js'
import type { ClientAuthContext } from './clients/authenticate-client.js'
import { ClientRegistry } from './clients/client-registry.js'
import { SecretHasher } from './clients/client-secret.js'
import type { AuthorityConfig } from './config/load-config.js'
import { DeviceRegistry } from './devices/device-registry.js'
import { registerIntrospection } from './endpoints/introspection.js'
import { registerJwks } from './endpoints/jwks.js'
import { registerMetadata } from './endpoints/metadata.js'
import { registerRegistration } from './endpoints/registration.js'
import { registerRevocation } from './endpoints/revocation.js'
import { registerToken } from './endpoints/token.js'
import { registerHealth } from './health/health-routes.js'
import { KeyManager } from './keys/key-manager.js'
import { loadMasterKey, type MasterKey, openSealer } from './keys/master-key.js'
import { openKeyToken } from './keys/pkcs11/open-key-token.js'
import { AuditLog } from './lib/audit.js'
import { type Clock, systemClock } from './lib/clock.js'
import { type AuthorityContext, endpointUrl, PATHS } from './lib/context.js'
import { registerFormParser } from './lib/form-body.js'
import { OAuthError } from './lib/oauth-error.js'
import { DeviceFailureLimits, RateLimiter } from './lib/rate-limit.js'
import { AuthorityObservability } from './metrics/observe-authority.js'
import { RefreshTokens } from './refresh/refresh-tokens.js'
import { watchSecurity } from './security-events/watch-security.js'
import { createStorage } from './storage/create-storage.js'
import type { Storage } from './storage/types.js'

export interface CreateAuthorityOptions {
  config: AuthorityConfig
  clock?: Clock
  /** Storage to use instead of opening config.databaseUrl (the caller then closes it). */
  storage?: Storage
}

export interface Authority {
  readonly app: FastifyInstance
  readonly context: AuthorityContext
  readonly masterKey: MasterKey
  readonly adminTokenGenerated: boolean
  /** The URL of /metrics when it has a port of its own (metricsPort) and listens. */
  readonly metricsUrl: string | undefined
  /** Listens on config.host:config.port; returns the base URL. */
  listen(): Promise<string>
  close(): Promise<void>
}

/** The admin token from configuration, else <dataDir>/admin-token, created (0600) on first run. */
function loadAdminToken(config: AuthorityConfig): { token: string; generated: boolean } {
  if (config.adminToken !== undefined) return { token: config.adminToken, generated: false }
  const path = join(config.dataDir, 'admin-token')
  if (existsSync(path)) return { token: readFileSync(path, 'utf8').trim(), generated: false }
  mkdirSync(config.dataDir, { recursive: true })
  const token = randomBytes(32).toString('base64url')
  writeFileSync(path, `${token}\n`, { mode: 0o600, flag: 'wx' })
  return { token, generated: true }
}

function sendError(error: FastifyError | OAuthError, log: FastifyBaseLogger) {
  if (error instanceof OAuthError) {
    if (error.status >= 500) log.error({ err: error }, error.message)
    return { status: error.status, headers: error.headers, body: error.toJSON() }
  }
  const status = error.statusCode ?? 500
  if (status >= 400 && status < 500) {
    // Fastify's own 4xx (bad JSON, wrong media type, body too large): the standard body, same status.
    return { status, headers: {}, body: { error: 'invalid_request', error_description: error.message } }
  }
  log.error({ err: error }, 'request failed')
  return { status: 500, headers: {}, body: { error: 'server_error', error_description: 'internal error' } }
}

/**
 * Builds the authority: storage (migrated), master key and sealer, keys (first ones created on a
 * fresh database), clients and every endpoint. Call listen() to serve.
 */
export async function createAuthority(options: CreateAuthorityOptions): Promise<Authority> {
  const { config } = options
  const clock = options.clock ?? systemClock
  // A request's child logger only adds its request id, which ties together the request logs written
  // at info and below; above info there are none, so requests share the root logger instead of
  // building a child each (about 2 µs a request, a tenth of a JWKS response).
  const requestLogs = ['trace', 'debug', 'info'].includes(config.logLevel)
  const app = Fastify({
    logger: { level: config.logLevel },
    childLoggerFactory: (logger, bindings, options) =>
      requestLogs || options.level !== undefined ? logger.child(bindings, options) : logger,
    bodyLimit: config.bodyLimit,
    // The per-address rate limit keys on the socket address; X-Forwarded-For is not trusted by default.
    trustProxy: false,
  })
  const observability = new AuthorityObservability(config, clock)
  const storage = observability.storage(options.storage ?? createStorage(config.databaseUrl))
  let token: Awaited<ReturnType<typeof openKeyToken>>
  try {
    token = await openKeyToken(config)
    await storage.migrate()
    const masterKey = loadMasterKey(config)
    const sealer = await openSealer(storage, masterKey)
    const { token: adminToken, generated } = loadAdminToken(config)
    const audit = new AuditLog(storage, clock, app.log)
    const keys = new KeyManager({ storage, sealer, config, clock, log: app.log, audit, token })
    const hasher = new SecretHasher(
      new Uint8Array(
        hkdfSync('sha256', masterKey.bytes, new Uint8Array(0), 'tessera client secret hmac', 32),
      ),
    )
    const clients = new ClientRegistry(storage, clock, hasher, { allowHttpJwksUri: config.allowHttpJwksUri })
    const clientAuth: ClientAuthContext = {
      find: (clientId) => clients.find(clientId),
      matchesSecret: (secret, hash) => hasher.matches(secret, hash),
      useOnce: (id, expiresAt) => storage.useOnce(id, expiresAt),
      issuer: config.issuer,
      tokenEndpoint: endpointUrl(config, PATHS.token),
      clockTolerance: config.clockTolerance,
      assertionMaxLifetime: config.assertionMaxLifetime,
      now: () => clock.now(),
      date: clock.date,
    }
    const limits = {
      perClient: new RateLimiter(config.rateLimitPerClient),
      perAddress: new RateLimiter(config.rateLimitPerAddress),
    }
    // Refresh tokens are hashed under their own key, derived like the client-secret key: every
    // instance sharing the master key finds the same hashes.
    const refresh = new RefreshTokens(
      storage,
      clock,
      new Uint8Array(
        hkdfSync('sha256', masterKey.bytes, new Uint8Array(0), 'tessera refresh token hmac', 32),
      ),
      {
        absoluteLifetime: config.refreshTokenLifetime * 1000,
        idleTimeout: config.refreshTokenIdleTimeout * 1000,
        graceWindow: config.refreshGraceWindow * 1000,
      },
    )
    const context: AuthorityContext = {
      config,
      clock,
      storage,
      keys,
      clients,
      clientAuth,
      audit,
      log: app.log,
      adminToken,
      limits,
      devices: new DeviceRegistry(storage, clock),
      refresh,
      deviceFailures: new DeviceFailureLimits(config.deviceFailureLimit),
    }
    await keys.start()
    audit.start()
    const purge = setInterval(() => {
      storage
        .purgeExpired(clock.now())
        .catch((error: unknown) => app.log.error({ err: error }, 'purge failed'))
    }, 60_000)
    purge.unref()

    registerFormParser(app)
    app.setErrorHandler((error: FastifyError | OAuthError, _request, reply) => {
      const { status, headers, body } = sendError(error, app.log)
      reply.code(status).headers(headers).header('cache-control', 'no-store').send(body)
    })
    app.setNotFoundHandler((_request, reply) => {
      reply.code(404).send({ error: 'invalid_request', error_description: 'no such endpoint' })
    })
    observability.attach({ app, keys, audit, adminToken, tokenPath: PATHS.token })
    registerHealth(app, { storage, keys })
    const security = watchSecurity({
      app,
      audit,
      clock,
      storage,
      adminToken,
      webhookUrl: config.alertWebhook,
    })
    registerMetadata(app, context)
    registerJwks(app, context)
    registerToken(app, context)
    registerIntrospection(app, context)
    registerRevocation(app, context)
    registerRegistration(app, context)
    registerAdmin(app, context)

    let closed = false
    return {
      app,
      context,
      masterKey,
      adminTokenGenerated: generated,
      get metricsUrl() {
        return observability.url
      },
      async listen() {
        const url = await app.listen({ port: config.port, host: config.host })
        await observability.listen()
        return url
      },
      async close() {
        if (closed) return
        closed = true
        clearInterval(purge)
        await app.close()
        await observability.close()
        await security.close()
        await keys.stop()
        await token?.close()
        await audit.stop()
        if (!options.storage) await storage.close()
      },
    }
  } catch (error) {
    await token?.close()
    if (!options.storage) await storage.close()
    throw error
  }
}
