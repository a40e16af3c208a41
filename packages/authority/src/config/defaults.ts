import {
  parseAdminToken,
  parseAlgorithm,
  parseBoolean,
  parseDuration,
  parseInteger,
  parseIssuer,
  parseLogLevel,
  parseString,
  parseWebhookUrl,
} from './parsers.js'

/**
 * Every setting of the authority, in one table: its environment variable, its default and what it
 * means. The README's configuration table is this table. Durations accept seconds or strings such as
 * "15m", "7d"; the JSON config file (TESSERA_CONFIG) uses the setting names as keys.
 *
 * Precedence: defaults < config file < environment.
 */
export const SETTINGS = {
  port: { env: 'PORT', default: 3000, parse: parseInteger(0, 65_535), doc: 'TCP port to listen on' },
  host: { env: 'HOST', default: 'localhost', parse: parseString, doc: 'Address to listen on' },
  issuer: {
    env: 'TESSERA_ISSUER',
    default: undefined,
    parse: parseIssuer,
    doc: 'Issuer URL (`iss`); default http://localhost:<port>',
  },
  dataDir: {
    env: 'TESSERA_DATA_DIR',
    default: './data',
    parse: parseString,
    doc: 'Directory for SQLite and key files (created 0700, its files 0600)',
  },
  databaseUrl: {
    env: 'DATABASE_URL',
    default: undefined,
    parse: parseString,
    doc: '`sqlite:<path>` or `postgres://…`; default sqlite:<dataDir>/tessera.db',
  },
  adminToken: {
    env: 'TESSERA_ADMIN_TOKEN',
    default: undefined,
    parse: parseAdminToken,
    secret: true,
    doc: 'Bearer token for /admin and registration, at least 32 visible ASCII characters; generated into <dataDir>/admin-token when absent',
  },
  masterKey: {
    env: 'TESSERA_MASTER_KEY',
    default: undefined,
    parse: parseString,
    secret: true,
    doc: '32-byte key (base64url) sealing private keys at rest',
  },
  masterKeyFile: {
    env: 'TESSERA_MASTER_KEY_FILE',
    default: undefined,
    parse: parseString,
    doc: 'File holding the master key; default <dataDir>/master-key (created 0600 on first run)',
  },
  accessTokenLifetime: {
    env: 'TESSERA_ACCESS_TOKEN_LIFETIME',
    default: 900,
    parse: parseDuration(60, 3600),
    doc: 'Access-token lifetime, 1–60 minutes',
  },
  signingAlg: {
    env: 'TESSERA_SIGNING_ALG',
    default: 'ES256',
    parse: parseAlgorithm,
    doc: 'JWS algorithm of the signing keys',
  },
  rotationPeriod: {
    env: 'TESSERA_ROTATION_PERIOD',
    default: 7 * 86_400,
    parse: parseDuration(60, 366 * 86_400),
    doc: 'How long a key signs before the next one takes over',
  },
  publishLead: {
    env: 'TESSERA_PUBLISH_LEAD',
    default: 3600,
    parse: parseDuration(1, 30 * 86_400),
    doc: 'How long the next key is published before it signs (must exceed jwksMaxAge)',
  },
  retirePeriod: {
    env: 'TESSERA_RETIRE_PERIOD',
    default: undefined,
    parse: parseDuration(1, 30 * 86_400),
    doc: 'How long a retired key stays published; default and minimum: token lifetime + clock tolerance',
  },
  clockTolerance: {
    env: 'TESSERA_CLOCK_TOLERANCE',
    default: 60,
    parse: parseDuration(0, 300),
    doc: 'Leeway for exp/iat checks, also added to how long retired keys stay published',
  },
  jwksMaxAge: {
    env: 'TESSERA_JWKS_MAX_AGE',
    default: 300,
    parse: parseDuration(0, 86_400),
    doc: 'Cache-Control max-age of the JWKS (must be below publishLead)',
  },
  keyReloadInterval: {
    env: 'TESSERA_KEY_RELOAD_INTERVAL',
    default: 5,
    parse: parseDuration(0.05, 60),
    doc: 'How often each instance reloads keys and runs the rotation schedule',
  },
  assertionMaxLifetime: {
    env: 'TESSERA_ASSERTION_MAX_LIFETIME',
    default: 300,
    parse: parseDuration(1, 3600),
    doc: 'Longest accepted exp − now for private_key_jwt client assertions',
  },
  rateLimitPerClient: {
    env: 'TESSERA_RATE_LIMIT_CLIENT',
    default: 200,
    parse: parseInteger(0, 1_000_000),
    doc: 'Token, introspection and revocation requests per second per client, together (0 disables)',
  },
  rateLimitPerAddress: {
    env: 'TESSERA_RATE_LIMIT_ADDRESS',
    default: 1000,
    parse: parseInteger(0, 1_000_000),
    doc: 'Token, introspection and revocation requests per second per client address, together (0 disables)',
  },
  bodyLimit: {
    env: 'TESSERA_BODY_LIMIT',
    default: 65_536,
    parse: parseInteger(1024, 10_485_760),
    doc: 'Largest accepted request body, in bytes',
  },
  requestTimeout: {
    env: 'TESSERA_REQUEST_TIMEOUT',
    default: 30,
    parse: parseDuration(0.5, 600),
    doc: 'Longest a client may take to send a whole request, headers and body; then 408 and the connection closes',
  },
  headersTimeout: {
    env: 'TESSERA_HEADERS_TIMEOUT',
    default: 10,
    parse: parseDuration(0.5, 600),
    doc: 'Longest a client may take to send the request headers (at most requestTimeout)',
  },
  connectionTimeout: {
    env: 'TESSERA_CONNECTION_TIMEOUT',
    default: 60,
    parse: parseDuration(1, 3600),
    doc: 'A connection on which nothing moves for this long is closed',
  },
  keepAliveTimeout: {
    env: 'TESSERA_KEEP_ALIVE_TIMEOUT',
    default: 5,
    parse: parseDuration(0.5, 600),
    doc: 'How long an idle keep-alive connection waits for its next request',
  },
  drainTimeout: {
    env: 'TESSERA_DRAIN_TIMEOUT',
    default: 10,
    parse: parseDuration(0, 600),
    doc: 'On SIGTERM, how long requests in flight may finish before their connections are closed',
  },
  shutdownTimeout: {
    env: 'TESSERA_SHUTDOWN_TIMEOUT',
    default: 30,
    parse: parseDuration(0.5, 3600),
    doc: 'Hard deadline from SIGTERM: past it the process exits (status 1) whatever is unfinished',
  },
  allowHttpJwksUri: {
    env: 'TESSERA_ALLOW_HTTP_JWKS_URI',
    default: false,
    parse: parseBoolean,
    doc: 'Accept http: jwks_uri for private_key_jwt clients (loopback tests only; keys fetched in clear can be swapped)',
  },
  deviceAccessTokenLifetime: {
    env: 'TESSERA_DEVICE_TOKEN_LIFETIME',
    default: 300,
    parse: parseDuration(60, 3600),
    doc: 'Lifetime of device access tokens (jwt-bearer and refresh_token grants), 1–60 minutes',
  },
  refreshTokenLifetime: {
    env: 'TESSERA_REFRESH_TOKEN_LIFETIME',
    default: 30 * 86_400,
    parse: parseDuration(60, 366 * 86_400),
    doc: 'Absolute lifetime of a refresh token family, counted from the device login',
  },
  refreshTokenIdleTimeout: {
    env: 'TESSERA_REFRESH_TOKEN_IDLE_TIMEOUT',
    default: 7 * 86_400,
    parse: parseDuration(60, 366 * 86_400),
    doc: 'A refresh token unused for this long is dead (each rotation starts a new idle period)',
  },
  refreshGraceWindow: {
    env: 'TESSERA_REFRESH_GRACE_WINDOW',
    default: 0,
    parse: parseDuration(0, 60),
    doc: 'How long a just-rotated refresh token may be retried (its unused successor is replaced); 0 = off',
  },
  deviceFailureLimit: {
    env: 'TESSERA_DEVICE_FAILURE_LIMIT',
    default: 10,
    parse: parseInteger(0, 100_000),
    doc: 'Failed device logins and refreshes per minute, per device and per address (0 disables)',
  },
  auditRetention: {
    env: 'TESSERA_AUDIT_RETENTION',
    default: 90 * 86_400,
    parse: parseDuration(0, 10 * 366 * 86_400),
    doc: 'How long audit events are kept before the periodic purge deletes them (0 keeps them forever)',
  },
  metrics: {
    env: 'TESSERA_METRICS',
    default: true,
    parse: parseBoolean,
    doc: 'Serve Prometheus metrics at /metrics (see metricsPort for where)',
  },
  metricsPort: {
    env: 'TESSERA_METRICS_PORT',
    default: undefined,
    parse: parseInteger(0, 65_535),
    doc: 'Serve /metrics on this port of its own, without a token; default: on the main port, behind the admin token',
  },
  metricsHost: {
    env: 'TESSERA_METRICS_HOST',
    default: '127.0.0.1',
    parse: parseString,
    doc: 'Address the separate metrics port listens on',
  },
  pkcs11Module: {
    env: 'TESSERA_PKCS11_MODULE',
    default: undefined,
    parse: parseString,
    doc: 'PKCS#11 module (e.g. /usr/lib/softhsm/libsofthsm2.so): new signing keys are generated and used in its token',
  },
  pkcs11TokenLabel: {
    env: 'TESSERA_PKCS11_TOKEN_LABEL',
    default: undefined,
    parse: parseString,
    doc: 'Label of the PKCS#11 token holding the signing keys',
  },
  pkcs11Slot: {
    env: 'TESSERA_PKCS11_SLOT',
    default: undefined,
    parse: parseInteger(0, Number.MAX_SAFE_INTEGER),
    doc: 'Slot id of the token, instead of its label',
  },
  pkcs11Pin: {
    env: 'TESSERA_PKCS11_PIN',
    default: undefined,
    parse: parseString,
    doc: 'User PIN of the token',
  },
  pkcs11PinFile: {
    env: 'TESSERA_PKCS11_PIN_FILE',
    default: undefined,
    parse: parseString,
    doc: 'File holding the user PIN (preferred over the variable)',
  },
  alertWebhook: {
    env: 'TESSERA_ALERT_WEBHOOK',
    default: undefined,
    parse: parseWebhookUrl,
    doc: 'URL that receives each security event as a JSON POST (retried with backoff, never blocking a request)',
  },
  logLevel: { env: 'TESSERA_LOG_LEVEL', default: 'info', parse: parseLogLevel, doc: 'pino log level' },
} as const

export type SettingName = keyof typeof SETTINGS
