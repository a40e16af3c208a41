import { verifyAuthenticationResponse } from '@simplewebauthn/server'
import { isoBase64URL, isoUint8Array } from '@simplewebauthn/server/helpers'
import type { AuthorityContext } from '../authority-context.js'
import { recordPasskeyCounterRegression } from '../security-events/passkey-events.js'
import type { PasskeyRecord, UserRecord } from '../storage/types.js'
import { checkCeremony } from './ceremony-checks.js'
import { assertionRpIdHash, parseAuthenticationResponse } from './parse-response.js'
import { PasskeyError } from './passkey-error.js'
import { transportsOf } from './passkey-view.js'
import { refusal } from './registration-verify.js'

export interface PasskeySignIn {
  readonly user: UserRecord
  readonly passkey: PasskeyRecord
  /** RFC 8176 methods: see amrOf. */
  readonly amr: readonly string[]
}

const unknownCredential = () =>
  new PasskeyError(
    'unknown_credential',
    'This passkey is not registered here. Sign in with your email instead.',
  )

/**
 * RFC 8176 §2 methods of a passkey sign-in: `user` (the authenticator tested presence and
 * verified the person; which way, PIN or biometric, it does not say, so no `pin`/`fpt`) with `hwk`
 * for a device-bound key or `swk` for a synced one (backup eligible: its private key leaves the
 * hardware). Not `mfa`: the second factor happened inside the authenticator, unattested
 * (attestation none), so the authority claims only what it checked itself.
 */
export function amrOf(backupEligible: boolean, userVerified: boolean): string[] {
  return [backupEligible ? 'swk' : 'hwk', ...(userVerified ? ['user'] : [])]
}

/**
 * Verifies a sign-in answer: the ceremony checks, then the credential (known, not revoked, its user
 * handle the owner's, the owner active), the library's signature and flag checks with user
 * verification required, then the counter. Returns who signed in; throws a PasskeyError otherwise,
 * changing nothing stored but the used challenge (and, for a clone, the security event).
 */
export async function verifyAuthentication(
  ctx: AuthorityContext,
  preLoginFlowId: string,
  body: unknown,
): Promise<PasskeySignIn> {
  const response = parseAuthenticationResponse(body)
  const { clientData } = await checkCeremony(
    ctx.passkeys.challenges,
    ctx.passkeys.rp,
    'authentication',
    preLoginFlowId,
    response.response.clientDataJSON,
    assertionRpIdHash(response.response.authenticatorData),
  )
  const passkey = await ctx.storage.findPasskey(response.id)
  if (passkey === undefined) throw unknownCredential()
  if (passkey.revokedAt !== null)
    throw new PasskeyError(
      'revoked_credential',
      'This passkey has been revoked. Sign in with your email instead.',
    )
  const handle = response.response.userHandle
  if (handle !== undefined && handle !== null) {
    let owner: string
    try {
      owner = isoUint8Array.toUTF8String(isoBase64URL.toBuffer(handle))
    } catch {
      throw unknownCredential()
    }
    if (owner !== passkey.userId) throw unknownCredential()
  }
  const user = await ctx.users.find(passkey.userId)
  if (user === undefined || user.status !== 'active')
    throw new PasskeyError(
      'user_not_allowed',
      'This account cannot sign in here. Ask the operator for access.',
    )
  let verified: Awaited<ReturnType<typeof verifyAuthenticationResponse>>
  try {
    verified = await verifyAuthenticationResponse({
      response,
      expectedChallenge: clientData.challenge,
      expectedOrigin: [...ctx.passkeys.rp.origins],
      expectedRPID: ctx.passkeys.rp.id,
      requireUserVerification: true,
      // Counter 0 here: the library would refuse a regression before checking the signature; we
      // check it below, after, so only a correctly signed answer (a clone) raises the alarm.
      credential: {
        id: passkey.id,
        publicKey: isoBase64URL.toBuffer(passkey.coseKey),
        counter: 0,
        transports: transportsOf(passkey),
      },
    })
  } catch (error) {
    throw refusal(error)
  }
  if (!verified.verified) throw new PasskeyError('verification_failed', 'The passkey could not be verified.')
  const info = verified.authenticationInfo
  // WebAuthn §6.1.1: a counter that does not grow, where either is non-zero, means two copies of the
  // key exist. Synced passkeys keep 0 on both sides, which is fine.
  if ((info.newCounter > 0 || passkey.signCount > 0) && info.newCounter <= passkey.signCount) {
    recordPasskeyCounterRegression(ctx.audit, {
      userId: passkey.userId,
      credentialId: passkey.id,
      stored: passkey.signCount,
      presented: info.newCounter,
    })
    throw new PasskeyError(
      'counter_regression',
      'This passkey looks copied (its signature counter went backwards), so it was refused. Sign in with your email and check your passkeys.',
    )
  }
  const backupEligible = info.credentialDeviceType === 'multiDevice'
  const recorded = await ctx.storage.recordPasskeyUse(passkey.id, {
    expectedCount: passkey.signCount,
    signCount: info.newCounter,
    backupEligible,
    backupState: info.credentialBackedUp,
    userVerified: info.userVerified,
    at: ctx.clock.now(),
  })
  // Revoked, or another sign-in with this passkey stored its counter meanwhile: refuse, retry is cheap.
  if (!recorded)
    throw new PasskeyError('verification_failed', 'The passkey changed while signing in. Try again.')
  const signedIn = await ctx.users.signedInById(user.id)
  if (signedIn === undefined)
    throw new PasskeyError(
      'user_not_allowed',
      'This account cannot sign in here. Ask the operator for access.',
    )
  return { user: signedIn, passkey, amr: amrOf(backupEligible, info.userVerified) }
}
