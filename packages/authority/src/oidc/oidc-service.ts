import type { AuthorizationCodes } from './authorization-codes.js'

/** The user facts OpenID Connect needs: the registry's record, read fresh for every grant. */
export interface OidcUser {
  readonly id: string
  readonly email: string
  readonly emailVerified: boolean
  readonly status: 'active' | 'disabled'
  readonly createdAt: number
  readonly lastLoginAt: number | null
}

export interface UserLookup {
  find(id: string): Promise<OidcUser | undefined>
}

/** The browser sessions of a user, as stored (F1-A's session store). */
export interface SessionLookup {
  list(userId: string): Promise<readonly { id: string; expiresAt: number; idleExpiresAt: number }[]>
}

/** What the OpenID Connect endpoints share, hung off the context as `oidc`. */
export class OidcService {
  readonly codes: AuthorizationCodes
  readonly #users: UserLookup
  readonly #sessions: SessionLookup
  readonly #now: () => number

  constructor(codes: AuthorizationCodes, users: UserLookup, sessions: SessionLookup, now: () => number) {
    this.codes = codes
    this.#users = users
    this.#sessions = sessions
    this.#now = now
  }

  /**
   * Whether the browser session a grant was made under still exists and is within its idle and
   * absolute timeouts: a user's tokens never outlive the sign-in they came from.
   */
  async sessionIsLive(userId: string, sessionId: string): Promise<boolean> {
    const now = this.#now()
    const session = (await this.#sessions.list(userId)).find((candidate) => candidate.id === sessionId)
    return session !== undefined && now < session.expiresAt && now < session.idleExpiresAt
  }

  /** The user if they exist and are active; a disabled or deleted user gets no tokens. */
  async activeUser(userId: string): Promise<OidcUser | undefined> {
    const user = await this.#users.find(userId)
    return user?.status === 'active' ? user : undefined
  }

  async userIsActive(userId: string): Promise<boolean> {
    return (await this.activeUser(userId)) !== undefined
  }
}
