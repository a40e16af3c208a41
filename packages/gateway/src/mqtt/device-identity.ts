import { parseAclClaim, type TopicAcl } from './acl.js'

/** What the broker knows about a connected device, taken from its verified access token. */
export interface DeviceIdentity {
  readonly sub: string
  readonly clientId: string | undefined
  readonly jti: string | undefined
  /** NumericDate seconds. */
  readonly iat: number | undefined
  readonly exp: number
  readonly acl: TopicAcl
  readonly claims: Readonly<Record<string, unknown>>
}

/**
 * Verifies an access token and returns its claims, or throws. The failure's `code` (a stable string,
 * such as @tessera/jose's or the gateway's) is kept for metrics and logs; the token never is.
 */
export type VerifyAccessToken = (token: string) => Promise<Readonly<Record<string, unknown>>>

/** Decides whether verified claims have been revoked since they were issued (revocation snapshots). */
export type IsRevoked = (claims: Readonly<Record<string, unknown>>) => boolean

/** Why an MQTT device was refused at CONNECT or later, kept for metrics and logs. */
export type RefusalReason =
  | 'no_credentials'
  | 'invalid_token'
  | 'no_expiry'
  | 'bad_acl'
  | 'client_id_mismatch'
  | 'username_mismatch'
  | 'revoked'

export class DeviceRefusal extends Error {
  readonly reason: RefusalReason
  constructor(reason: RefusalReason, message: string) {
    super(message)
    this.name = 'DeviceRefusal'
    this.reason = reason
  }
}

/** Turns verified claims into the identity, refusing what the broker cannot enforce. */
export function identityOf(claims: Readonly<Record<string, unknown>>): DeviceIdentity {
  const { sub, exp, iat, jti, client_id: clientId } = claims
  if (typeof sub !== 'string' || sub.length === 0)
    throw new DeviceRefusal('invalid_token', 'the token has no "sub"')
  // Without `exp` nothing would end the connection; such a token is not accepted over MQTT.
  if (typeof exp !== 'number' || !Number.isFinite(exp))
    throw new DeviceRefusal('no_expiry', 'the token has no "exp"')
  const acl = parseAclClaim(claims.acl)
  if (!acl) throw new DeviceRefusal('bad_acl', 'the token\'s "acl" claim is malformed')
  return {
    sub,
    clientId: typeof clientId === 'string' ? clientId : undefined,
    jti: typeof jti === 'string' ? jti : undefined,
    iat: typeof iat === 'number' ? iat : undefined,
    exp,
    acl,
    claims,
  }
}
