import {
  type DeviceIdentity,
  DeviceRefusal,
  type IsRevoked,
  identityOf,
  type VerifyAccessToken,
} from './device-identity.js'

export interface DeviceAuthOptions {
  readonly verify: VerifyAccessToken
  readonly isRevoked?: IsRevoked
  /** `device-id`: the username must equal the token's `sub`; `ignored`: any username. */
  readonly username: 'device-id' | 'ignored'
  /** The MQTT client identifier must equal the token's `sub` (default true). */
  readonly clientIdIsSubject: boolean
  /** Seconds of leeway on `exp`, as the verifier's clock tolerance. */
  readonly clockTolerance: number
  readonly now: () => number
}

export interface ConnectCredentials {
  readonly clientId: string
  readonly username: string | undefined
  readonly password: Buffer | string | undefined
}

const MAX_TOKEN_LENGTH = 16_384

/**
 * CONNECT, and the broker plugins' register hooks: the password is the device's access token. It
 * must verify, be live and unrevoked, and name the connecting device (client id and, by setting,
 * username). Returns the identity or throws a DeviceRefusal naming why.
 */
export async function authenticateDevice(
  options: DeviceAuthOptions,
  credentials: ConnectCredentials,
): Promise<DeviceIdentity> {
  const { password } = credentials
  const token = typeof password === 'string' ? password : password?.toString('utf8')
  if (!token) throw new DeviceRefusal('no_credentials', 'the access token goes in the password')
  if (token.length > MAX_TOKEN_LENGTH) throw new DeviceRefusal('invalid_token', 'the token is too long')
  let claims: Readonly<Record<string, unknown>>
  try {
    claims = await options.verify(token)
  } catch (error) {
    if (error instanceof DeviceRefusal) throw error
    const code = (error as { code?: unknown }).code
    throw new DeviceRefusal('invalid_token', typeof code === 'string' ? code : 'the token did not verify')
  }
  const identity = identityOf(claims)
  if (identity.exp + options.clockTolerance <= options.now() / 1000) {
    throw new DeviceRefusal('invalid_token', 'the token has expired')
  }
  if (options.clientIdIsSubject && credentials.clientId !== identity.sub) {
    throw new DeviceRefusal('client_id_mismatch', 'the client identifier must be the token\'s "sub"')
  }
  if (options.username === 'device-id' && credentials.username !== identity.sub) {
    throw new DeviceRefusal('username_mismatch', 'the username must be the device id')
  }
  if (options.isRevoked?.(claims)) throw new DeviceRefusal('revoked', 'the token has been revoked')
  return identity
}

/** When a session must end: the token's `exp` plus the tolerance, in ms since the epoch. */
export function sessionDeadline(identity: DeviceIdentity, clockTolerance: number): number {
  return (identity.exp + clockTolerance) * 1000
}
