/**
 * Every refusal the gateway can give has a stable reason code. The reason is what logs and metrics
 * carry (a bounded set, never token contents); the RFC 6750 answer (status, error code, description)
 * is derived from it in this one table, so every adapter answers a given fault the same way.
 *
 * Descriptions are fixed text: RFC 6750 §3 allows only %x20-21 / %x23-5B / %x5D-7E in
 * `error_description`, and nothing from the token may reach a header.
 */
export const REFUSALS = {
  missing_token: { status: 401, error: undefined, description: undefined },
  malformed_header: {
    status: 400,
    error: 'invalid_request',
    description: 'the Authorization header is not a single Bearer token',
  },
  token_too_large: { status: 401, error: 'invalid_token', description: 'the token is too large' },
  malformed_token: { status: 401, error: 'invalid_token', description: 'the token is not a well-formed JWT' },
  alg_none: { status: 401, error: 'invalid_token', description: 'unsigned tokens are not accepted' },
  alg_not_allowed: {
    status: 401,
    error: 'invalid_token',
    description: 'the token is signed with an algorithm that is not accepted',
  },
  bad_signature: { status: 401, error: 'invalid_token', description: 'the token signature is invalid' },
  unknown_key: {
    status: 401,
    error: 'invalid_token',
    description: 'the token is signed by a key the issuer does not publish',
  },
  expired: { status: 401, error: 'invalid_token', description: 'the token has expired' },
  not_yet_valid: { status: 401, error: 'invalid_token', description: 'the token is not valid yet' },
  issued_in_future: { status: 401, error: 'invalid_token', description: 'the token is issued in the future' },
  too_old: { status: 401, error: 'invalid_token', description: 'the token is too old' },
  claim_missing: { status: 401, error: 'invalid_token', description: 'the token lacks a required claim' },
  wrong_issuer: { status: 401, error: 'invalid_token', description: 'the token is from another issuer' },
  wrong_audience: { status: 401, error: 'invalid_token', description: 'the token is for another audience' },
  wrong_type: { status: 401, error: 'invalid_token', description: 'the token is not of the expected type' },
  invalid_token: { status: 401, error: 'invalid_token', description: 'the token is invalid' },
  // Encrypted tokens (issue 18): the gateway's setting says which form it takes.
  not_encrypted: { status: 401, error: 'invalid_token', description: 'the token must be encrypted' },
  encrypted_not_accepted: {
    status: 401,
    error: 'invalid_token',
    description: 'encrypted tokens are not accepted',
  },
  undecryptable: { status: 401, error: 'invalid_token', description: 'the token cannot be decrypted' },
  insufficient_scope: {
    status: 403,
    error: 'insufficient_scope',
    description: 'the token lacks a scope this request needs',
  },
  // Not the client's fault: the issuer's keys cannot be had. Fail closed, and say it is temporary.
  keys_unavailable: {
    status: 503,
    error: 'temporarily_unavailable',
    description: 'the issuer keys are unavailable',
  },
  // Revocation snapshots (issue 15): listed by jti or covered by a kill switch at the authority.
  revoked: { status: 401, error: 'invalid_token', description: 'token revoked' },
  // The snapshot is stale and the policy is to fail closed: the gateway cannot tell, so it refuses.
  revocation_unavailable: {
    status: 503,
    error: 'temporarily_unavailable',
    description: 'the revocation status is unavailable',
  },
  // BFF mode: a cookie-borne call without the anti-CSRF header or from another site.
  csrf: { status: 403, error: 'invalid_request', description: 'cross-site or unmarked request refused' },
  session_expired: { status: 401, error: 'invalid_token', description: 'the session has ended' },
} as const satisfies Record<
  string,
  { status: number; error: string | undefined; description: string | undefined }
>

/**
 * Why a request was refused: a key of REFUSALS, which maps it to its RFC 6750 status, error and
 * description.
 */
export type RefusalReason = keyof typeof REFUSALS

/** Every RefusalReason, for metrics that must declare their label values up front. */
export const REFUSAL_REASONS = Object.keys(REFUSALS) as RefusalReason[]

/** Start-up faults of the CLI and the gateway: a setting that cannot work. The message names it. */
export class GatewayConfigError extends Error {
  readonly setting: string

  constructor(setting: string, message: string) {
    super(`${setting}: ${message}`)
    this.name = 'GatewayConfigError'
    this.setting = setting
  }
}

/** Discovery of the issuer's metadata failed (network, status, size, or a mismatched `issuer`). */
export class DiscoveryError extends Error {
  readonly code = 'ERR_GATEWAY_DISCOVERY_FAILED'

  constructor(message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'DiscoveryError'
  }
}
