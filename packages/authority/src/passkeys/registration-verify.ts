import { verifyRegistrationResponse } from '@simplewebauthn/server'
import { isoBase64URL } from '@simplewebauthn/server/helpers'
import type { AuthorityContext } from '../authority-context.js'
import type { SignedIn } from '../sessions/read-session.js'
import type { PasskeyRecord } from '../storage/types.js'
import { checkCeremony } from './ceremony-checks.js'
import { coseToJwk } from './cose-to-jwk.js'
import { parseRegistrationResponse, registrationRpIdHash } from './parse-response.js'
import { PasskeyError } from './passkey-error.js'
import { SUPPORTED_ALGORITHMS } from './relying-party.js'

const taken = () => new PasskeyError('credential_taken', 'This passkey is already registered.')

/**
 * Verifies a registration answer for the signed-in user and stores the passkey: the checks of
 * ceremony-checks, then the library's attestation (`none`) and flag checks with user verification
 * required, then the COSE key as a JWK. A refused answer stores nothing (its challenge is used up).
 */
export async function verifyRegistration(
  ctx: AuthorityContext,
  signedIn: SignedIn,
  body: { response: unknown; name: string },
): Promise<PasskeyRecord> {
  const response = parseRegistrationResponse(body.response)
  const { user, session } = signedIn
  const { clientData, challenge } = await checkCeremony(
    ctx.passkeys.challenges,
    ctx.passkeys.rp,
    'registration',
    session.id,
    response.response.clientDataJSON,
    registrationRpIdHash(response.response.attestationObject),
  )
  if (challenge.userId !== user.id)
    throw new PasskeyError(
      'challenge_unknown',
      'This passkey request was made for another account. Start again.',
    )
  if ((await ctx.storage.findPasskey(response.id)) !== undefined) throw taken()
  let verified: Awaited<ReturnType<typeof verifyRegistrationResponse>>
  try {
    verified = await verifyRegistrationResponse({
      response,
      expectedChallenge: clientData.challenge,
      expectedOrigin: [...ctx.passkeys.rp.origins],
      expectedRPID: ctx.passkeys.rp.id,
      requireUserVerification: true,
      supportedAlgorithmIDs: [...SUPPORTED_ALGORITHMS],
    })
  } catch (error) {
    throw refusal(error)
  }
  if (!verified.verified) throw new PasskeyError('verification_failed', 'The passkey could not be verified.')
  const info = verified.registrationInfo
  const { jwk, thumbprint, alg } = coseToJwk(info.credential.publicKey)
  const now = ctx.clock.now()
  const passkey: PasskeyRecord = {
    id: info.credential.id,
    userId: user.id,
    name: body.name,
    publicJwk: JSON.stringify(jwk),
    thumbprint,
    coseKey: isoBase64URL.fromBuffer(info.credential.publicKey),
    alg,
    signCount: info.credential.counter,
    transports: JSON.stringify(response.response.transports ?? []),
    aaguid: info.aaguid,
    backupEligible: info.credentialDeviceType === 'multiDevice',
    backupState: info.credentialBackedUp,
    userVerified: info.userVerified,
    createdAt: now,
    lastUsedAt: null,
    revokedAt: null,
  }
  // The id may have been registered since the look-up above: the insert decides.
  if (!(await ctx.storage.insertPasskey(passkey))) throw taken()
  ctx.audit.record('passkey.registered', user.id, { credential: passkey.id.slice(0, 64), thumbprint, alg })
  return passkey
}

/** The library's reasons, in words for the person, with our codes. */
export function refusal(error: unknown): PasskeyError {
  const message = error instanceof Error ? error.message : ''
  if (/user verification/i.test(message))
    return new PasskeyError(
      'user_verification_required',
      'The passkey did not verify you (PIN, fingerprint or face). Try again and confirm on your device.',
    )
  if (/algorithm/i.test(message))
    return new PasskeyError('unsupported_algorithm', 'This kind of passkey is not supported here.')
  return new PasskeyError('verification_failed', 'The passkey could not be verified.')
}
