import type { BffSettings } from '../bff/settings.js'
import type { ReportSettings } from '../metrics/report-settings.js'
import type { MqttSettings } from '../mqtt/settings.js'
import type { RevocationSettings } from '../revocation/settings.js'
import type { DecryptionOptions, TokenForm } from '../verify/decryption.js'
import type { RouteTable } from './routes.js'

/** Everything the reverse proxy needs, already validated (the CLI builds it from flags and variables). */
export interface GatewaySettings {
  readonly issuer: string
  readonly audience: readonly string[]
  readonly algorithms: readonly string[]
  readonly jwksUri: string | undefined
  readonly typ: string | undefined
  /** Seconds. */
  readonly clockTolerance: number
  readonly upstream: string
  readonly host: string
  readonly port: number
  readonly routes: RouteTable
  /** Pass the client's `Authorization` header on to the upstream (true) or strip it (false). */
  readonly forwardAuthorization: boolean
  /** Add `X-Tessera-Claims` (base64url JSON of the verified claims). */
  readonly forwardClaims: boolean
  /** Loopback development: `http:` issuer, JWKS and BFF cookies without a TLS front. */
  readonly allowInsecureHttp: boolean
  readonly connectTimeoutMs: number
  /** Longest wait for the upstream's response headers, and between two body chunks. */
  readonly upstreamTimeoutMs: number
  /** Serve `/metrics` on this port (same host); undefined: no metrics listener. */
  readonly metricsPort: number | undefined
  readonly logLevel: string
  readonly bff: BffSettings | undefined
  /** The embedded MQTT broker and broker-plugin endpoints (issue 15); undefined: off. */
  readonly mqtt?: MqttSettings | undefined
  /** Revocation snapshot polling (issue 15); undefined: off. */
  readonly revocation?: RevocationSettings | undefined
  /** The resource's private keys for encrypted access tokens (issue 18), HTTP and MQTT alike. */
  readonly decryption?: DecryptionOptions | undefined
  /** Which token form passes (see createTokenVerifier's `tokenForm`); default from `decryption`. */
  readonly tokenForm?: TokenForm | undefined
  /** Push unknown-kid and clock-skew refusals to the authority; undefined: off. */
  readonly report?: ReportSettings | undefined
}
