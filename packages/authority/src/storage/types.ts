/**
 * The one interface the authority stores through. Every method is small and idempotent or
 * conditional, so several instances can share one database without locks held across requests.
 * Times are milliseconds since the epoch.
 */
export type KeyState = 'next' | 'current' | 'retired' | 'revoked'

export interface KeyRecord {
  kid: string
  alg: string
  state: KeyState
  /** Public JWK as JSON text. */
  publicJwk: string
  /** The private JWK sealed under the master key. */
  sealedPrivateKey: string
  createdAt: number
  /** When it started signing; null while `next`. */
  activatedAt: number | null
  /** When it stopped signing (retired or revoked); null before. */
  retiredAt: number | null
}

export interface ClientRecord {
  clientId: string
  /** Registered metadata (RFC 7591), as JSON text, without secrets. */
  metadata: string
  tokenEndpointAuthMethod: string
  /** HMAC of the client secret (hex), for the client_secret_* methods. */
  secretHash: string | null
  disabled: boolean
  createdAt: number
}

export interface AuditEvent {
  at: number
  event: string
  subject: string
  detail: string
}

export interface KeyTransition {
  kid: string
  from: KeyState
  to: KeyState
  at: number
}

export interface Storage extends DeviceStorage {
  readonly dialect: 'sqlite' | 'postgres'
  migrate(): Promise<void>
  close(): Promise<void>

  getMeta(name: string): Promise<string | undefined>
  /** Sets the value only if none exists; returns the value now stored (first writer wins). */
  initMeta(name: string, value: string): Promise<string>

  listKeys(): Promise<KeyRecord[]>
  insertKey(key: KeyRecord): Promise<void>
  /**
   * Applies all transitions in one transaction, each only if the key is still in `from`; returns
   * false (and applies none) when any key had moved, i.e. another instance got there first.
   */
  transitionKeys(transitions: readonly KeyTransition[]): Promise<boolean>
  deleteKey(kid: string): Promise<void>

  /** Takes or renews the named lease for `holder` until `until`; true when `holder` has it. */
  acquireLease(name: string, holder: string, now: number, until: number): Promise<boolean>

  insertClient(client: ClientRecord): Promise<void>
  findClient(clientId: string): Promise<ClientRecord | undefined>
  listClients(): Promise<ClientRecord[]>
  setClientDisabled(clientId: string, disabled: boolean): Promise<boolean>

  revokeToken(jti: string, expiresAt: number): Promise<void>
  isTokenRevoked(jti: string): Promise<boolean>
  /** Records a single-use identifier; false when it was already used (a replay). */
  useOnce(id: string, expiresAt: number): Promise<boolean>
  /** Drops revocations and used identifiers whose tokens have expired. */
  purgeExpired(now: number): Promise<void>

  appendAudit(events: readonly AuditEvent[]): Promise<void>
  listAudit(limit: number): Promise<AuditEvent[]>
  /** Deletes audit events recorded before `before` (the retention cut-off); returns how many. */
  purgeAudit(before: number): Promise<number>
}

export type DeviceStatus = 'active' | 'disabled'

export interface DeviceRecord {
  id: string
  /** The device's public JWK as JSON text (public members only). */
  publicJwk: string
  /** RFC 7638 SHA-256 thumbprint of publicJwk. */
  thumbprint: string
  /** The one JWS algorithm the device signs with: ES256 or Ed25519. */
  alg: string
  status: DeviceStatus
  /** `{ publish: string[], subscribe: string[] }` as JSON text, `{device}` placeholders unexpanded. */
  acl: string
  /** Operator metadata as JSON text. */
  metadata: string
  createdAt: number
  updatedAt: number
}

export interface DevicePatch {
  status?: DeviceStatus
  acl?: string
  metadata?: string
  updatedAt: number
}

/** One login's chain of refresh tokens: every rotation adds one token, never a branch. */
export interface RefreshFamilyRecord {
  id: string
  clientId: string
  deviceId: string
  /** The `aud` of the access tokens the family refreshes. */
  audience: string
  createdAt: number
  /** Absolute lifetime: no token of the family is accepted after this. */
  expiresAt: number
  revokedAt: number | null
  revokeReason: string | null
}

export interface RefreshTokenRecord {
  /** Keyed hash of the token (hex); the token itself is never stored. */
  hash: string
  familyId: string
  /** The token this one replaced; unique, so a family can never fork. Null for the login's token. */
  parentHash: string | null
  /** The token presented to obtain this one (the parent, or for a grace re-issue the retried token). */
  issuedFor: string | null
  generation: number
  issuedAt: number
  /** Idle timeout: unused past this, the token is dead. */
  idleExpiresAt: number
  consumedAt: number | null
  /** 'rotated' (used), 'superseded' (replaced by a grace re-issue). */
  consumedReason: string | null
}

/** Kill switch targets: the refresh families and access tokens of a client, a device or a subject. */
export type CutoffKind = 'client' | 'device' | 'subject'

export interface AccessTokenFacts {
  jti: string
  /** `iat` in milliseconds. */
  issuedAt: number
  sub: string | undefined
  clientId: string | undefined
  /** True for device tokens (their `sub` is a device id). */
  device: boolean
}

/** Devices, refresh tokens and the kill switch (issue 7), in the same single interface. */
export interface DeviceStorage {
  insertDevice(device: DeviceRecord): Promise<void>
  findDevice(id: string): Promise<DeviceRecord | undefined>
  listDevices(): Promise<DeviceRecord[]>
  /** Applies the patch; returns the updated device, or undefined when there is none. */
  updateDevice(id: string, patch: DevicePatch): Promise<DeviceRecord | undefined>
  deleteDevice(id: string): Promise<boolean>

  /** Creates a family with its first token, in one transaction. */
  insertRefreshFamily(family: RefreshFamilyRecord, first: RefreshTokenRecord): Promise<void>
  findRefreshToken(
    hash: string,
  ): Promise<{ token: RefreshTokenRecord; family: RefreshFamilyRecord } | undefined>
  /**
   * Consumes `presentedHash` and inserts `successor` in one transaction, only if the presented token
   * is still unconsumed and within its idle timeout; false (and nothing changed) otherwise.
   */
  rotateRefreshToken(presentedHash: string, successor: RefreshTokenRecord, now: number): Promise<boolean>
  /**
   * Grace re-issue: the family's unused head that was issued for `presentedHash` is consumed as
   * 'superseded' and `successor` becomes the head (its parent and generation are filled in), in one
   * transaction; false when there is no such unused head (it was used, or another retry won).
   */
  reissueRefreshToken(
    familyId: string,
    presentedHash: string,
    successor: Omit<RefreshTokenRecord, 'parentHash' | 'generation'>,
    now: number,
  ): Promise<RefreshTokenRecord | undefined>
  /** Marks the family revoked; false when it already was (or does not exist). */
  revokeRefreshFamily(familyId: string, now: number, reason: string): Promise<boolean>
  listRefreshFamilies(deviceId: string): Promise<RefreshFamilyRecord[]>
  listRefreshTokens(familyId: string): Promise<RefreshTokenRecord[]>

  /**
   * Kill switch: records that everything of (kind, value) issued before `before` is revoked (kept
   * until `expiresAt`), and revokes the matching refresh families at once; returns how many.
   */
  revokeIssuedBefore(kind: CutoffKind, value: string, before: number, expiresAt: number): Promise<number>
  /** The latest kill-switch time among the targets, or undefined. */
  latestCutoff(targets: readonly (readonly [CutoffKind, string])[]): Promise<number | undefined>
  /** One query: the access token's jti is revoked, or a kill switch covers its subject or client. */
  isAccessTokenRevoked(facts: AccessTokenFacts): Promise<boolean>
}
