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

/** What the OpenID Connect endpoints share, hung off the context as `oidc`. */
export class OidcService {
  readonly codes: AuthorizationCodes
  readonly #users: UserLookup

  constructor(codes: AuthorizationCodes, users: UserLookup) {
    this.codes = codes
    this.#users = users
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
