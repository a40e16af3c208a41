import { hkdfSync, randomBytes } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createSigningThreads } from '@tessera/jose'
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify'
import { AdminSessions } from './admin/console/admin-session.js'
import { registerAdminConsole } from './admin/console/console-routes.js'
import { registerAdmin } from './admin/routes.js'
import type { AuthorityContext } from './authority-context.js'
import type { ClientAuthContext } from './clients/authenticate-client.js'
import { ClientRegistry } from './clients/client-registry.js'
import { SecretHasher } from './clients/client-secret.js'
import { type AuthorityConfig, ConfigError } from './config/load-config.js'
import { ADMIN_TOKEN_SHAPE } from './config/parsers.js'
import { DeviceRegistry } from './devices/device-registry.js'
import { createMailer } from './email/mailer.js'
import { RecipientKeys } from './encryption/recipient-keys.js'
import { registerCors } from './endpoints/cors.js'
import { registerIntrospection } from './endpoints/introspection.js'
import { registerJwks } from './endpoints/jwks.js'
import { registerMetadata } from './endpoints/metadata.js'
import { registerRegistration } from './endpoints/registration.js'
import { registerRevocation } from './endpoints/revocation.js'
import { registerRevocations } from './endpoints/revocations.js'
import { registerToken } from './endpoints/token.js'
import { answerTokenRequestsAtFrontDoor } from './endpoints/token-front-door.js'
import { registerHealth } from './health/health-routes.js'
import { KeyManager } from './keys/key-manager.js'
import { loadMasterKey, type MasterKey, openSealer } from './keys/master-key.js'
import { openKeyToken } from './keys/pkcs11/open-key-token.js'
import { AuditLog } from './lib/audit.js'
import { checkOptions } from './lib/check-options.js'
import { type Clock, systemClock } from './lib/clock.js'
import { errorResponse } from './lib/error-response.js'
import { registerFormParser } from './lib/form-body.js'
import { FrontDoor } from './lib/graceful-shutdown.js'
import type { OAuthError } from './lib/oauth-error.js'
import { endpointUrl, PATHS } from './lib/paths.js'
import { ensurePrivateDir, writePrivateFile } from './lib/private-files.js'
import { requestLogView } from './lib/request-log.js'
import type { CounterStore } from './limits/counter-store.js'
import { DeviceFailureLimits } from './limits/device-failure-limits.js'
import { openCounterStore } from './limits/open-counter-store.js'
import { WindowLimit } from './limits/window-limit.js'
import { lockoutCounters } from './lockout/counter-store.js'
import { Lockout } from './lockout/lockout.js'
import { AuthorityObservability } from './metrics/observe-authority.js'
import { AuthorizationCodes } from './oidc/authorization-codes.js'
import { registerDiscovery } from './oidc/discovery.js'
import { OidcService } from './oidc/oidc-service.js'
import { registerOidcPages } from './oidc/routes.js'
import { registerUserinfo } from './oidc/userinfo.js'
import { sendErrorPage } from './pages/error-page.js'
import { registerPages } from './pages/routes.js'
import { registerPasskeyApi } from './passkeys/api-routes.js'
import { PasskeyChallenges } from './passkeys/challenges.js'
import { relyingParty } from './passkeys/relying-party.js'
import { RefreshTokens } from './refresh/refresh-tokens.js'
import { ResourceRegistry } from './resources/resource-registry.js'
import { watchSecurity } from './security-events/watch-security.js'
import { cookieNames } from './sessions/cookies.js'
import { BrowserSessions } from './sessions/session-store.js'
import { EmailProofs } from './signin/email-proof.js'
import { SendLimits } from './signin/send-limits.js'
import { createStorage } from './storage/create-storage.js'
import type { Storage } from './storage/types.js'
import { UserRegistry } from './users/user-registry.js'

/** Options of createAuthority: the validated config, and for tests a clock and a storage to share. */
export interface CreateAuthorityOptions {
  config: AuthorityConfig
  clock?: Clock
  /** Storage to use instead of opening config.databaseUrl (the caller then closes it). */
  storage?: Storage
}

const CREATE_AUTHORITY_OPTIONS: readonly (keyof CreateAuthorityOptions)[] = ['config', 'clock', 'storage']

/**
 * A created authority: the Fastify app, its context and start, stop and maintenance operations.
 * Nothing listens until listen().
 */
export interface Authority {
  readonly app: FastifyInstance
  readonly context: AuthorityContext
  readonly masterKey: MasterKey
  readonly adminTokenGenerated: boolean
  /** The URL of /metrics when it has a port of its own (metricsPort) and listens. */
  readonly metricsUrl: string | undefined
  /** Listens on config.host:config.port; returns the base URL. */
  listen(): Promise<string>
  /** Requests in flight now (what a shutdown would have to drain). */
  inFlight(): number
  /**
   * The periodic purge, now: expired revocations, single-use ids and refresh families, and audit
   * events older than auditRetention. Runs every minute on its own; exposed for operators and tests.
   */
  purgeExpired(): Promise<void>
  /**
   * Drains (see lib/graceful-shutdown: new requests get 503, in-flight ones finish, up to
   * drainTimeout), then stops the key schedule, flushes the audit queue and closes storage.
   */
  close(): Promise<void>
}

/**
 * The admin token from configuration, else <dataDir>/admin-token, created (0600) on first run as 256
 * random bits in base64url (43 characters). One left in the file must be as strong as a configured one.
 */
function loadAdminToken(config: AuthorityConfig): { token: string; generated: boolean } {
  if (config.adminToken !== undefined) return { token: config.adminToken, generated: false }
  const path = join(config.dataDir, 'admin-token')
  if (existsSync(path)) {
    const token = readFileSync(path, 'utf8').trim()
    if (!ADMIN_TOKEN_SHAPE.test(token)) {
      throw new ConfigError(`${path}: the admin token must be at least 32 visible ASCII characters`)
    }
    return { token, generated: false }
  }
  ensurePrivateDir(config.dataDir)
  const token = randomBytes(32).toString('base64url')
  writePrivateFile(path, `${token}\n`)
  return { token, generated: true }
}

/**
 * Builds the authority: storage (migrated), master key and sealer, keys (first ones created on a
 * fresh database), clients and every endpoint. Call listen() to serve.
 */
export async function createAuthority(options: CreateAuthorityOptions): Promise<Authority> {
  checkOptions('createAuthority', options, CREATE_AUTHORITY_OPTIONS)
  const { config } = options
  const clock = options.clock ?? systemClock
  // A request's child logger only adds its request id, which ties together the request logs written
  // at info and below; above info there are none, so requests share the root logger instead of
  // building a child each (about 2 µs a request, a tenth of a JWKS response).
  const requestLogs = ['trace', 'debug', 'info'].includes(config.logLevel)
  // The HTTP server in front of Fastify: drain tracking, and the JWKS answered before routing.
  const front = new FrontDoor()
  const app = Fastify({
    serverFactory: front.serverFactory,
    logger: { level: config.logLevel, serializers: { req: requestLogView } },
    childLoggerFactory: (logger, bindings, options) =>
      requestLogs || options.level !== undefined ? logger.child(bindings, options) : logger,
    bodyLimit: config.bodyLimit,
    // Fastify leaves request and connection timeouts off: one slow client trickling a body per
    // connection could then hold sockets forever and starve everyone (issue 11 item 3).
    requestTimeout: Math.round(config.requestTimeout * 1000),
    connectionTimeout: Math.round(config.connectionTimeout * 1000),
    keepAliveTimeout: Math.round(config.keepAliveTimeout * 1000),
    http: {
      headersTimeout: Math.round(config.headersTimeout * 1000),
      // Node checks the request and header deadlines on this period (30 s by default), so a
      // deadline of a few seconds needs a finer check; it walks only the open connections.
      connectionsCheckingInterval: Math.min(1000, Math.round(config.headersTimeout * 500)),
    },
    // The per-address rate limit keys on the socket address; X-Forwarded-For is not trusted by default.
    trustProxy: false,
  })
  const observability = new AuthorityObservability(config, clock)
  const storage = observability.storage(options.storage ?? createStorage(config.databaseUrl))
  let token: Awaited<ReturnType<typeof openKeyToken>>
  let counters: CounterStore | undefined
  // Keys in a PKCS#11 token sign there; in-process keys sign on these threads (see keys/key-ring).
  const threads =
    config.signingThreads > 0 ? createSigningThreads({ threads: config.signingThreads }) : undefined
  try {
    token = await openKeyToken(config)
    await storage.migrate()
    const sharedCounters = await openCounterStore(config, storage, () => clock.now())
    counters = sharedCounters
    const masterKey = await loadMasterKey(config, storage)
    if (masterKey.warning !== undefined) app.log.warn({ path: masterKey.path }, masterKey.warning)
    const sealer = await openSealer(storage, masterKey)
    const { token: adminToken, generated } = loadAdminToken(config)
    const audit = new AuditLog(storage, clock, app.log)
    const keys = new KeyManager({ storage, sealer, config, clock, log: app.log, audit, token, threads })
    const hasher = new SecretHasher(
      new Uint8Array(
        hkdfSync('sha256', masterKey.bytes, new Uint8Array(0), 'tessera client secret hmac', 32),
      ),
    )
    const clients = new ClientRegistry(storage, clock, hasher, { allowHttpJwksUri: config.allowHttpJwksUri })
    const clientAuth: ClientAuthContext = {
      find: (clientId) => clients.find(clientId),
      matchesSecret: (secret, hash) => hasher.matches(secret, hash),
      useOnce: (id, expiresAt) => sharedCounters.useOnce(id, expiresAt),
      issuer: config.issuer,
      tokenEndpoint: endpointUrl(config, PATHS.token),
      clockTolerance: config.clockTolerance,
      assertionMaxLifetime: config.assertionMaxLifetime,
      now: () => clock.now(),
      date: clock.date,
    }
    // Per second, shared by every instance (limits/): one atomic hit each, none when set to 0. On
    // real time, not the authority's clock, like the failure budgets below.
    const realTime = sharedCounters.withClock(Date.now)
    const limits = {
      perClient: new WindowLimit(realTime, 'rate:client', config.rateLimitPerClient, 1000),
      perAddress: new WindowLimit(realTime, 'rate:address', config.rateLimitPerAddress, 1000),
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
    const derive = (info: string) =>
      new Uint8Array(hkdfSync('sha256', masterKey.bytes, new Uint8Array(0), info, 32))
    const mailer = createMailer({
      smtpUrl: config.smtpUrl,
      from: config.emailFrom,
      dataDir: config.dataDir,
      ...(config.logLevel === 'silent' ? { print: () => {} } : {}),
    })
    // Authorization codes are hashed under their own derived key, like refresh tokens.
    const codes = new AuthorizationCodes(
      storage,
      clock,
      derive('tessera authorization code hmac'),
      config.authorizationCodeLifetime * 1000,
    )
    const users = new UserRegistry(storage, clock, { openSignup: config.openSignup })
    const sessions = new BrowserSessions(storage, clock, derive('tessera browser session hmac'), {
      idleTimeout: config.sessionIdleTimeout * 1000,
      lifetime: config.sessionLifetime * 1000,
    })
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
      counters: sharedCounters,
      deviceFailures: new DeviceFailureLimits(realTime, config.deviceFailureLimit),
      users,
      sessions,
      cookies: cookieNames(config.issuer),
      mailer,
      signin: {
        proofs: new EmailProofs(derive('tessera email proof hmac')),
        sendLimits: new SendLimits(sharedCounters, config.signinSendLimitAddress, config.signinSendLimitIp),
      },
      oidc: new OidcService(codes, users, sessions, () => clock.now()),
      encryption: {
        recipients: new RecipientKeys({ allowInsecureHttp: config.allowHttpJwksUri }),
        resources: new ResourceRegistry(storage, clock),
      },
      lockout: new Lockout({
        // On the authority's clock, like the shared store itself (openCounterStore above).
        store: lockoutCounters(sharedCounters),
        policy: {
          accountFailures: config.lockoutFailures,
          addressFailures: config.lockoutAddressFailures,
          firstWait: config.lockoutWait * 1000,
          maxWait: Math.max(config.lockoutWait, config.lockoutMaxWait) * 1000,
          resetAfter: config.lockoutResetAfter * 1000,
          permanentAfter: config.lockoutPermanentAfter,
        },
        audit,
        now: () => clock.now(),
        ...(observability.metrics ? { onAttempt: observability.metrics.countSignIn } : {}),
      }),
      passkeys: { rp: relyingParty(config), challenges: new PasskeyChallenges(storage, clock) },
    }
    await keys.start()
    audit.start()
    const purgeExpired = async () => {
      const now = clock.now()
      await storage.purgeExpired(now)
      if (config.auditRetention > 0) {
        const purged = await storage.purgeAudit(now - config.auditRetention * 1000)
        if (purged > 0) app.log.info({ purged }, 'purged audit events past their retention')
      }
    }
    const purge = setInterval(() => {
      purgeExpired().catch((error: unknown) => app.log.error({ err: error }, 'purge failed'))
    }, 60_000)
    purge.unref()

    registerFormParser(app)
    app.setErrorHandler((error: FastifyError | OAuthError, _request, reply) => {
      const { status, headers, body } = errorResponse(error, app.log)
      reply.code(status).headers(headers).header('cache-control', 'no-store').send(body)
    })
    app.setNotFoundHandler((request, reply) => {
      // A person who mistyped a page address gets a page; API clients keep the standard error body.
      if (request.method === 'GET' && request.headers.accept?.includes('text/html')) {
        return sendErrorPage(reply, 404, {
          title: 'Page not found',
          message: 'There is no page at this address.',
          code: 'not_found',
        })
      }
      return reply.code(404).send({ error: 'invalid_request', error_description: 'no such endpoint' })
    })
    observability.attach({ app, keys, audit, adminToken, tokenPath: PATHS.token })
    const { metrics } = observability
    if (metrics) front.onAnswer((route, method, status) => metrics.countRequest(route, method, status))
    registerHealth(app, { storage, keys })
    const security = watchSecurity({
      app,
      audit,
      clock,
      storage,
      adminToken,
      webhookUrl: config.alertWebhook,
    })
    registerCors(app, context)
    registerMetadata(app, context)
    registerDiscovery(app, context)
    registerUserinfo(app, context)
    // Answered ahead of Fastify unless every request is logged (info and below): it would skip the log.
    registerJwks(app, context, requestLogs ? undefined : front)
    registerToken(app, context)
    if (!requestLogs) {
      // Its plain requests too, for the same reason (see endpoints/token-front-door).
      answerTokenRequestsAtFrontDoor(front, context, {
        onIssued: metrics ? (grantType) => metrics.countToken(grantType) : undefined,
      })
    }
    registerIntrospection(app, context)
    registerRevocation(app, context)
    registerRevocations(app, context)
    registerRegistration(app, context)
    registerAdmin(app, context)
    registerAdminConsole(
      app,
      context,
      new AdminSessions(derive('tessera admin console hmac'), adminToken, context.cookies),
    )
    registerPages(app, context)
    registerPasskeyApi(app, context)
    registerOidcPages(app, context)
    // Ending a browser session revokes the refresh families issued under it (offline_access).
    context.sessions.onEnd(async (sessionIds) => {
      for (const id of sessionIds) await refresh.revokeBySession(id)
    })

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
      purgeExpired,
      inFlight: () => front.count(),
      async close() {
        if (closed) return
        closed = true
        clearInterval(purge)
        await front.drain(config.drainTimeout * 1000, app.log)
        await app.close()
        await observability.close()
        await security.close()
        await keys.stop()
        await threads?.close()
        await token?.close()
        await audit.stop()
        await sharedCounters.close()
        mailer.close()
        if (!options.storage) await storage.close()
      },
    }
  } catch (error) {
    await counters?.close()
    await threads?.close()
    await token?.close()
    if (!options.storage) await storage.close()
    throw error
  }
}
