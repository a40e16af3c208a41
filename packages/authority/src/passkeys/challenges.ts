import { createHash, randomBytes } from 'node:crypto'
import type { Clock } from '../lib/clock.js'
import type { PasskeyCeremony, PasskeyChallengeRecord, Storage } from '../storage/types.js'
import { PasskeyError } from './passkey-error.js'
import { CHALLENGE_LIFETIME_MS } from './relying-party.js'

const hashOf = (challenge: string) => createHash('sha256').update(challenge, 'utf8').digest('base64url')

/**
 * WebAuthn challenges: 32 random bytes, stored only as their hash, bound to the browser session
 * (registration) or pre-login flow (authentication) that asked, usable once, for five minutes.
 */
export class PasskeyChallenges {
  readonly #storage: Storage
  readonly #clock: Clock

  constructor(storage: Storage, clock: Clock) {
    this.#storage = storage
    this.#clock = clock
  }

  /** The challenge's bytes: the options carry them, the browser's clientData names them in base64url. */
  async issue(
    ceremony: PasskeyCeremony,
    boundTo: string,
    userId: string | null = null,
  ): Promise<Uint8Array<ArrayBuffer>> {
    const bytes = new Uint8Array(32)
    bytes.set(randomBytes(32))
    const challenge = Buffer.from(bytes).toString('base64url')
    const now = this.#clock.now()
    await this.#storage.insertPasskeyChallenge({
      hash: hashOf(challenge),
      ceremony,
      boundTo,
      userId,
      createdAt: now,
      expiresAt: now + CHALLENGE_LIFETIME_MS,
      consumedAt: null,
    })
    return bytes
  }

  /** Uses the challenge a response names; a PasskeyError says why it cannot be used. */
  async consume(
    challenge: string,
    ceremony: PasskeyCeremony,
    boundTo: string,
  ): Promise<PasskeyChallengeRecord> {
    const result = await this.#storage.consumePasskeyChallenge(
      hashOf(challenge),
      ceremony,
      boundTo,
      this.#clock.now(),
    )
    if (result.outcome === 'consumed' && result.challenge) return result.challenge
    if (result.outcome === 'used')
      throw new PasskeyError('challenge_used', 'This passkey request was already answered. Start again.')
    if (result.outcome === 'expired')
      throw new PasskeyError('challenge_expired', 'This passkey request has expired. Start again.')
    throw new PasskeyError(
      'challenge_unknown',
      'This passkey answer does not belong to a request made in this browser. Start again.',
    )
  }
}
