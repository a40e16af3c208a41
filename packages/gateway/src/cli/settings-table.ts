/**
 * The one table of the CLI's settings: each has a flag, a TESSERA_GATEWAY_* variable (flags win),
 * a default and a line of help. The README's table and `--help` are written from it.
 */
import { REPORT_SETTING_ROWS } from '../metrics/report-settings.js'
import { MQTT_SETTING_ROWS } from '../mqtt/settings.js'
import { REVOCATION_SETTING_ROWS } from '../revocation/settings.js'

/** One gateway setting: its option key, `--flag`, TESSERA_GATEWAY_* variable, kind, default and help line. */
export interface SettingSpec {
  readonly key: string
  readonly flag: string
  readonly env: string
  readonly kind: 'string' | 'boolean'
  readonly default: string | undefined
  readonly help: string
  /** The flag may be repeated; its variable holds a comma-separated list. */
  readonly multiple?: true
}

function spec(
  key: string,
  flag: string,
  kind: SettingSpec['kind'],
  defaultValue: string | undefined,
  help: string,
): SettingSpec {
  const env = `TESSERA_GATEWAY_${flag.toUpperCase().replace(/-/g, '_')}`
  return { key, flag, env, kind, default: defaultValue, help }
}

/**
 * Every setting of `tessera-gateway` and `tessera gateway`, in `--help` order: both commands build
 * their options from this list, so a flag, its variable and its default cannot drift apart.
 */
export const SETTINGS: readonly SettingSpec[] = [
  spec('issuer', 'issuer', 'string', undefined, 'Issuer URL (required); its metadata names the JWKS'),
  spec('audience', 'audience', 'string', undefined, 'Accepted audience(s), comma-separated (required)'),
  spec('upstream', 'upstream', 'string', undefined, 'Upstream base URL (required)'),
  spec('port', 'port', 'string', '8080', 'TCP port to listen on'),
  spec('host', 'host', 'string', '127.0.0.1', 'Address to listen on'),
  spec('routes', 'routes', 'string', undefined, 'routes.json: method + path prefix → scopes, public paths'),
  spec('algorithms', 'algorithms', 'string', 'ES256', 'Accepted JWS algorithms, comma-separated'),
  spec('jwksUri', 'jwks-uri', 'string', undefined, 'JWKS URL (skips discovery)'),
  spec('typ', 'typ', 'string', undefined, 'Required typ header, e.g. at+jwt'),
  spec('clockTolerance', 'clock-tolerance', 'string', '5', 'Leeway for exp/nbf/iat, seconds'),
  spec(
    'forwardAuthorization',
    'forward-authorization',
    'boolean',
    'true',
    'Pass the Authorization header upstream (false strips it)',
  ),
  spec('forwardClaims', 'forward-claims', 'boolean', 'false', 'Add X-Tessera-Claims (base64url JSON)'),
  spec(
    'allowInsecureHttp',
    'allow-insecure-http',
    'boolean',
    'false',
    'Allow http: issuer/JWKS (loopback development only)',
  ),
  spec('connectTimeout', 'connect-timeout', 'string', '5000', 'Upstream connect timeout, ms'),
  spec(
    'upstreamTimeout',
    'upstream-timeout',
    'string',
    '30000',
    'Upstream headers and idle-body timeout, ms (504 after)',
  ),
  spec(
    'metricsPort',
    'metrics-port',
    'string',
    undefined,
    'Serve Prometheus /metrics on this port (off when absent)',
  ),
  spec('logLevel', 'log-level', 'string', 'info', 'pino log level'),
  spec(
    'bff',
    'bff',
    'boolean',
    'false',
    'Backend-for-frontend mode: /bff/login, /bff/callback, /bff/logout, /bff/user',
  ),
  spec('bffClientId', 'bff-client-id', 'string', undefined, 'BFF: the gateway client_id at the authority'),
  spec(
    'bffClientSecretFile',
    'bff-client-secret-file',
    'string',
    undefined,
    'BFF: file holding the client secret (or TESSERA_GATEWAY_BFF_CLIENT_SECRET)',
  ),
  spec(
    'bffPublicOrigin',
    'bff-public-origin',
    'string',
    undefined,
    'BFF: origin browsers use, e.g. https://app.example',
  ),
  spec('bffScope', 'bff-scope', 'string', 'openid', 'BFF: scopes asked for at sign-in'),
  spec(
    'bffResource',
    'bff-resource',
    'string',
    undefined,
    'BFF: RFC 8707 resource (audience) of the access token',
  ),
  {
    ...spec(
      'decryptionKey',
      'decryption-key',
      'string',
      undefined,
      'Private key file (JWK or PKCS#8 PEM) opening encrypted tokens; repeat for rotation',
    ),
    multiple: true,
  },
  spec(
    'tokenForm',
    'token-form',
    'string',
    undefined,
    'signed, encrypted or either; default encrypted with a decryption key, else signed',
  ),
  ...MQTT_SETTING_ROWS,
  ...REVOCATION_SETTING_ROWS,
  ...REPORT_SETTING_ROWS,
]

/** Not a flag: secrets never go on the command line, where `ps` shows them. */
export const CLIENT_SECRET_ENV = 'TESSERA_GATEWAY_BFF_CLIENT_SECRET'
