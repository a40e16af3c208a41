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

/** A count in its window: `expiresAt` (epoch ms) is when the window ends and the count starts over. */
export interface Counter {
  count: number
  expiresAt: number
}

/** Counters shared by every instance on the database (lib/limits/database-counters.ts). */
export interface CounterStorage {
  /**
   * Adds one to `key`, atomically; a key without a live window starts one ending at now + windowMs.
   * Returns the count after this hit.
   */
  hitCounter(key: string, windowMs: number, now: number): Promise<Counter>
  /** The live count of `key`, or undefined when it has none (never hit, expired or reset). */
  readCounter(key: string, now: number): Promise<Counter | undefined>
  resetCounter(key: string): Promise<void>
}

/**
 * Everything the authority keeps, behind one interface with a SQLite and a PostgreSQL implementation
 * that pass the same contract tests.
 */
export interface Storage
  extends DeviceStorage,
    PeopleStorage,
    RevocationStorage,
    OidcStorage,
    EncryptionStorage,
    CounterStorage,
    PasskeyStorage {
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

/**
 * What a user's refresh family (OIDC `offline_access`) carries beyond a device family: who signed
 * in, under which browser session (ending the session revokes the family), and the grant's facts
 * for the ID and access tokens each refresh issues.
 */
export interface UserGrantRecord {
  userId: string
  sessionId: string
  /** Space-separated scopes granted. */
  scope: string
  /** Epoch seconds of the sign-in (OIDC `auth_time`). */
  authTime: number
  amr: readonly string[]
}

/** One login's chain of refresh tokens: every rotation adds one token, never a branch. */
export interface RefreshFamilyRecord {
  id: string
  clientId: string
  /** The device a device login's family belongs to; empty for a user's family (see `user`). */
  deviceId: string
  /** Present on the families of users' sign-ins through the authorization code grant. */
  user?: UserGrantRecord
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

export type UserStatus = 'active' | 'disabled'

/** A person who signs in; `email` is normalised (see users/normalize-email.ts) and unique. */
export interface UserRecord {
  /** Opaque: `usr_` + 22 base64url characters (128 random bits). The `sub` of their tokens. */
  id: string
  email: string
  emailVerified: boolean
  status: UserStatus
  createdAt: number
  lastLoginAt: number | null
}

export interface UserPatch {
  status?: UserStatus
  emailVerified?: boolean
  lastLoginAt?: number
}

export interface UserQuery {
  /** Substring of the (normalised) email address. */
  emailContains?: string
  limit: number
  /** Keyset pagination: users created after this (createdAt, id). */
  after?: { createdAt: number; id: string }
}

/** A signed-in browser. The cookie carries a secret; the row holds only its HMAC. */
export interface BrowserSessionRecord {
  /** Public id (shown on the account page, recorded on refresh families); not the cookie value. */
  id: string
  /** HMAC of the cookie's secret (hex). */
  secretHash: string
  userId: string
  /** When the user proved their email for this session, ms. */
  authTime: number
  /** RFC 8176 methods, as JSON text. */
  amr: string
  csrfToken: string
  createdAt: number
  lastSeenAt: number
  /** Idle timeout: unseen past this, the session is dead. Moves on when it is seen. */
  idleExpiresAt: number
  /** Absolute timeout, fixed at login. */
  expiresAt: number
  userAgent: string
  address: string
}

/**
 * A pre-login flow with its one email proof: who asked (the browser's pre-login cookie, hashed),
 * for which address, where to go after, and the current code and link (HMACs). Issuing a new proof
 * overwrites the row, which is how a new code invalidates the old one.
 */
export interface SignInFlowRecord {
  /** HMAC of the pre-login cookie's secret (hex). */
  id: string
  email: string
  returnTo: string
  codeHash: string
  linkHash: string
  /** Code guesses made against the current proof. */
  attempts: number
  issuedAt: number
  expiresAt: number
  consumedAt: number | null
  address: string
}

/** Users, browser sessions and pre-login flows (issue 12). */
export interface PeopleStorage {
  /** False (and nothing written) when the email or id is taken. */
  insertUser(user: UserRecord): Promise<boolean>
  findUser(id: string): Promise<UserRecord | undefined>
  findUserByEmail(email: string): Promise<UserRecord | undefined>
  listUsers(query: UserQuery): Promise<UserRecord[]>
  updateUser(id: string, patch: UserPatch): Promise<UserRecord | undefined>
  /** Deletes the user, their browser sessions and passkeys; false when there was no such user. */
  deleteUser(id: string): Promise<boolean>

  insertBrowserSession(session: BrowserSessionRecord): Promise<void>
  findBrowserSession(secretHash: string): Promise<BrowserSessionRecord | undefined>
  touchBrowserSession(id: string, lastSeenAt: number, idleExpiresAt: number): Promise<void>
  listBrowserSessions(userId: string): Promise<BrowserSessionRecord[]>
  /** Deletes one session, only if it belongs to `userId` when given; true when it existed. */
  deleteBrowserSession(id: string, userId?: string): Promise<boolean>
  /** Deletes every session of the user; returns the ids deleted. */
  deleteBrowserSessionsOf(userId: string): Promise<string[]>

  /** Inserts the flow, or replaces every column of the flow with that id (a fresh proof). */
  saveSignInFlow(flow: SignInFlowRecord): Promise<void>
  findSignInFlow(id: string): Promise<SignInFlowRecord | undefined>
  findSignInFlowByLink(linkHash: string): Promise<SignInFlowRecord | undefined>
  /**
   * Counts one code guess, atomically and before any comparison: increments `attempts` only while it
   * is below `maxAttempts` and the proof is unconsumed and unexpired, and returns the flow as it is
   * after the increment; undefined when no guess is left (or no live proof).
   */
  countCodeAttempt(id: string, now: number, maxAttempts: number): Promise<SignInFlowRecord | undefined>
  /**
   * Consumes the flow's proof if it is still unconsumed, unexpired and has this code or link hash;
   * false (nothing changed) otherwise. Exactly one of two racing consumers wins.
   */
  consumeSignInFlow(
    id: string,
    now: number,
    proof: { codeHash: string } | { linkHash: string },
  ): Promise<boolean>
  deleteSignInFlow(id: string): Promise<void>
}

/** The revocation snapshot's source (issue 15). Times are milliseconds since the epoch. */
export interface RevocationLists {
  /** Revoked access tokens, by `jti`, each kept until its token can no longer verify. */
  tokens: { jti: string; expiresAt: number }[]
  families: { id: string; revokedAt: number }[]
  /** Kill switches: everything of (kind, value) issued before `before` is revoked. */
  cutoffs: { kind: CutoffKind; value: string; before: number }[]
}

export interface RevocationStorage {
  /**
   * Revoked jtis not yet expired at `now`; families revoked and cut-offs made at or after
   * `relevantSince` (older ones cannot cover a live access token).
   */
  listRevocations(now: number, relevantSince: number): Promise<RevocationLists>
}

/** An issued authorization code (RFC 6749 §4.1.2), stored under a keyed hash of the code. */
export interface AuthorizationCodeRecord {
  hash: string
  clientId: string
  userId: string
  sessionId: string
  redirectUri: string
  /** Space-separated granted scopes. */
  scope: string
  nonce: string | null
  /** RFC 7636 S256 code_challenge. */
  codeChallenge: string
  /** Epoch seconds. */
  authTime: number
  amr: readonly string[]
  createdAt: number
  expiresAt: number
  consumedAt: number | null
}

/** What the exchange of a code issued, so a replay of the code can revoke it (RFC 6749 §4.1.2). */
export interface CodeIssue {
  accessJti: string
  /** When the access token expires (ms): its revocation is kept that long. */
  accessExpiresAt: number
  refreshFamilyId: string | null
}

export type CodeConsumption =
  | { outcome: 'consumed'; code: AuthorizationCodeRecord }
  /** Already consumed: this call marked it replayed and returns what its first exchange issued. */
  | { outcome: 'replayed'; code: AuthorizationCodeRecord; issued: CodeIssue | null }
  | { outcome: 'expired' | 'unknown' }

/** A user's consent to a client, for a set of scopes (OIDC Core §3.1.2.4). */
export interface ConsentRecord {
  userId: string
  clientId: string
  /** Space-separated scopes consented to. */
  scope: string
  grantedAt: number
}

/** Authorization codes, consents and user refresh families (issue 12, OpenID Connect for apps). */
export interface OidcStorage {
  insertAuthorizationCode(code: AuthorizationCodeRecord): Promise<void>
  /**
   * Consumes the code in one conditional update: the first caller within its lifetime gets it; a
   * later one finds it consumed, marks it replayed and learns what the first exchange issued.
   */
  consumeAuthorizationCode(hash: string, now: number): Promise<CodeConsumption>
  /**
   * Records what the exchange issued; false when the code was replayed meanwhile, so the caller
   * revokes what it just issued instead of handing it out.
   */
  recordCodeIssue(hash: string, issue: CodeIssue): Promise<boolean>

  /** Creates or replaces the user's consent to the client. */
  upsertConsent(consent: ConsentRecord): Promise<void>
  findConsent(userId: string, clientId: string): Promise<ConsentRecord | undefined>
  listConsents(userId: string): Promise<ConsentRecord[]>
  deleteConsent(userId: string, clientId: string): Promise<boolean>

  /** Revokes every live refresh family of the user's grants to the client; returns how many. */
  revokeRefreshFamiliesOf(userId: string, clientId: string, now: number, reason: string): Promise<number>
  /** Revokes every live refresh family issued under the browser session; returns how many. */
  revokeRefreshFamiliesBySession(sessionId: string, now: number, reason: string): Promise<number>
}

/** An API registered to receive encrypted access tokens (issue 18). */
export interface ResourceRecord {
  /** The RFC 8707 resource URI: the access token's audience. */
  resource: string
  name: string
  /** JSON JWK set with the resource's encryption key, or null when it publishes `jwksUri`. */
  jwks: string | null
  jwksUri: string | null
  alg: string
  enc: string
  createdAt: number
  updatedAt: number
}

/**
 * What introspection needs of an encrypted access token the authority cannot decrypt itself: looked
 * up by the SHA-256 of the compact JWE, with the signing key's kid (a revoked key kills the token).
 */
export interface EncryptedTokenRecord {
  hash: string
  kid: string
  /** The inner JWT's claims set, JSON. */
  claims: string
  expiresAt: number
}

/** The resource registry and the encrypted-token index (migration 0006-encryption-keys). */
export interface EncryptionStorage {
  /** Inserts or replaces the resource's registration. */
  upsertResource(resource: ResourceRecord): Promise<void>
  findResource(resource: string): Promise<ResourceRecord | undefined>
  listResources(): Promise<ResourceRecord[]>
  deleteResource(resource: string): Promise<boolean>
  insertEncryptedToken(token: EncryptedTokenRecord): Promise<void>
  /** The record, while it has not expired at `now`. */
  findEncryptedToken(hash: string, now: number): Promise<EncryptedTokenRecord | undefined>
}

/** A user's passkey (issue 13): the public key as a JWK, never the private key. Times in ms. */
export interface PasskeyRecord {
  /** The credential id, base64url. */
  id: string
  userId: string
  name: string
  /** The public key as a JWK (JSON text), converted from the COSE key. */
  publicJwk: string
  /** RFC 7638 thumbprint (SHA-256, base64url) of publicJwk. */
  thumbprint: string
  /** The COSE key as the authenticator sent it (base64url); the verifier checks signatures with it. */
  coseKey: string
  /** COSE algorithm identifier (-7 ES256, -8 EdDSA, -257 RS256, …). */
  alg: number
  signCount: number
  /** JSON array of transports the browser reported. */
  transports: string
  aaguid: string
  backupEligible: boolean
  backupState: boolean
  userVerified: boolean
  createdAt: number
  lastUsedAt: number | null
  /** Set by an administrator's revoke; a revoked passkey signs nobody in and keeps its id taken. */
  revokedAt: number | null
}

/** What one successful assertion changes on its passkey. */
export interface PasskeyUse {
  /** The counter the verification started from: the update applies only if it is still stored. */
  expectedCount: number
  signCount: number
  backupEligible: boolean
  backupState: boolean
  userVerified: boolean
  at: number
}

export type PasskeyCeremony = 'registration' | 'authentication'

/** A WebAuthn challenge, stored by its hash until used or expired. */
export interface PasskeyChallengeRecord {
  hash: string
  ceremony: PasskeyCeremony
  /** The browser session (registration) or pre-login flow id (authentication) that asked. */
  boundTo: string
  /** Registration: the user the passkey is being added for. */
  userId: string | null
  createdAt: number
  expiresAt: number
  consumedAt: number | null
}

export type ChallengeOutcome = 'consumed' | 'expired' | 'used' | 'unknown'

export interface PasskeyStorage {
  /** False (and nothing written) when the credential id is already registered, to anyone. */
  insertPasskey(passkey: PasskeyRecord): Promise<boolean>
  findPasskey(id: string): Promise<PasskeyRecord | undefined>
  /** The user's passkeys, revoked ones included, oldest first. */
  listPasskeys(userId: string): Promise<PasskeyRecord[]>
  /** Renames a passkey of this user; false when it is not theirs (or gone). */
  renamePasskey(id: string, userId: string, name: string): Promise<boolean>
  /** Deletes a passkey of this user; false when it is not theirs (or gone). */
  deletePasskey(id: string, userId: string): Promise<boolean>
  /** Marks a passkey revoked; false when there is none, or it was already revoked. */
  revokePasskey(id: string, at: number): Promise<boolean>
  /**
   * Stores an assertion's counter, flags and time, only while the passkey is unrevoked and its
   * counter is still `use.expectedCount`: of two racing uses of one assertion's counter, one wins.
   */
  recordPasskeyUse(id: string, use: PasskeyUse): Promise<boolean>

  insertPasskeyChallenge(challenge: PasskeyChallengeRecord): Promise<void>
  /**
   * Uses the challenge once: consumed when it exists for this ceremony and binding, unused and
   * unexpired (then it is marked used); otherwise why not, changing nothing.
   */
  consumePasskeyChallenge(
    hash: string,
    ceremony: PasskeyCeremony,
    boundTo: string,
    now: number,
  ): Promise<{ outcome: ChallengeOutcome; challenge?: PasskeyChallengeRecord }>
}
