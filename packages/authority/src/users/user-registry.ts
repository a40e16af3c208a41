import { randomBytes } from 'node:crypto'
import type { Clock } from '../lib/clock.js'
import { isUserId } from '../lib/identifiers.js'
import type { Storage, UserQuery, UserRecord, UserStatus } from '../storage/types.js'

/**
 * The people who sign in. Sign-up is sign-in: the first proven email creates the user, unless open
 * sign-up is off, in which case only existing users get in.
 */
export class UserRegistry {
  readonly #storage: Storage
  readonly #clock: Clock
  readonly openSignup: boolean

  constructor(storage: Storage, clock: Clock, options: { openSignup: boolean }) {
    this.#storage = storage
    this.#clock = clock
    this.openSignup = options.openSignup
  }

  /** Undefined for an unknown id, including any string that is not shaped like one of ours. */
  async find(id: string): Promise<UserRecord | undefined> {
    if (!isUserId(id)) return undefined
    return this.#storage.findUser(id)
  }

  /** `email` must already be normalised (normalizeEmail). */
  findByEmail(email: string): Promise<UserRecord | undefined> {
    return this.#storage.findUserByEmail(email)
  }

  /** Whether a proof for this address may lead to a session: an active user, or open sign-up. */
  async maySignIn(email: string): Promise<boolean> {
    const user = await this.findByEmail(email)
    return user ? user.status === 'active' : this.openSignup
  }

  /**
   * After a successful email proof: the user with that address (created when open sign-up allows),
   * marked verified and with this login's time; undefined when the address may not sign in.
   */
  async signedIn(email: string): Promise<UserRecord | undefined> {
    const now = this.#clock.now()
    let user = await this.findByEmail(email)
    if (user === undefined) {
      if (!this.openSignup) return undefined
      const candidate: UserRecord = {
        id: `usr_${randomBytes(16).toString('base64url')}`,
        email,
        emailVerified: true,
        status: 'active',
        createdAt: now,
        lastLoginAt: now,
      }
      // Two browsers proving the same new address at once: one insert wins, the other reads it.
      if (await this.#storage.insertUser(candidate)) return candidate
      user = await this.findByEmail(email)
      if (user === undefined) return undefined
    }
    if (user.status !== 'active') return undefined
    return this.#storage.updateUser(user.id, { emailVerified: true, lastLoginAt: now })
  }

  /** After a passkey sign-in: the active user with this login's time; undefined otherwise. */
  async signedInById(id: string): Promise<UserRecord | undefined> {
    const user = await this.find(id)
    if (user === undefined || user.status !== 'active') return undefined
    return this.#storage.updateUser(user.id, { lastLoginAt: this.#clock.now() })
  }

  list(query: UserQuery): Promise<UserRecord[]> {
    return this.#storage.listUsers(query)
  }

  async setStatus(id: string, status: UserStatus): Promise<UserRecord | undefined> {
    if (!isUserId(id)) return undefined
    return this.#storage.updateUser(id, { status })
  }

  async remove(id: string): Promise<boolean> {
    if (!isUserId(id)) return false
    return this.#storage.deleteUser(id)
  }
}
