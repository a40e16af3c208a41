import {
  generateRegistrationOptions,
  type PublicKeyCredentialCreationOptionsJSON,
} from '@simplewebauthn/server'
import { isoUint8Array } from '@simplewebauthn/server/helpers'
import type { AuthorityContext } from '../authority-context.js'
import type { SignedIn } from '../sessions/read-session.js'
import { transportsOf } from './passkey-view.js'
import { CHALLENGE_LIFETIME_MS, SUPPORTED_ALGORITHMS } from './relying-party.js'

/**
 * `navigator.credentials.create()` options for the signed-in user: a discoverable credential
 * (so sign-in needs no email), user verification required, attestation none, the user's passkeys
 * excluded (an authenticator holding one says so instead of making a second). The challenge is
 * bound to this browser session.
 */
export async function registrationOptions(
  ctx: AuthorityContext,
  signedIn: SignedIn,
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const { user, session } = signedIn
  const existing = await ctx.storage.listPasskeys(user.id)
  const challenge = await ctx.passkeys.challenges.issue('registration', session.id, user.id)
  return generateRegistrationOptions({
    rpName: ctx.passkeys.rp.name,
    rpID: ctx.passkeys.rp.id,
    userName: user.email,
    userDisplayName: user.email,
    // The user handle is the opaque user id: it names the account at sign-in, and nothing personal.
    userID: isoUint8Array.fromUTF8String(user.id),
    challenge,
    timeout: CHALLENGE_LIFETIME_MS,
    attestationType: 'none',
    excludeCredentials: existing.map((passkey) => ({
      id: passkey.id,
      transports: transportsOf(passkey),
    })),
    authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
    supportedAlgorithmIDs: [...SUPPORTED_ALGORITHMS],
  })
}
