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

export interface Storage {
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
}
