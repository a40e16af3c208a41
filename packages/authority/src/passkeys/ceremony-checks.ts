import { createHash, timingSafeEqual } from 'node:crypto'
import type { PasskeyCeremony, PasskeyChallengeRecord } from '../storage/types.js'
import type { PasskeyChallenges } from './challenges.js'
import { type ClientData, clientDataOf } from './parse-response.js'
import { PasskeyError } from './passkey-error.js'
import type { RelyingParty } from './relying-party.js'

const CLIENT_DATA_TYPE: Readonly<Record<PasskeyCeremony, string>> = {
  registration: 'webauthn.create',
  authentication: 'webauthn.get',
}

export interface CheckedCeremony {
  readonly clientData: ClientData
  readonly challenge: PasskeyChallengeRecord
}

/**
 * The checks every answer passes before its signature is looked at, each with its own refusal: the
 * ceremony type, the challenge (ours, for this browser, unused, unexpired: used up by this call), the
 * origin (one of our pages) and the RP ID hash in the authenticator data (our RP ID).
 */
export async function checkCeremony(
  challenges: PasskeyChallenges,
  rp: RelyingParty,
  ceremony: PasskeyCeremony,
  boundTo: string,
  clientDataJSON: string,
  rpIdHash: Uint8Array,
): Promise<CheckedCeremony> {
  const clientData = clientDataOf(clientDataJSON)
  if (clientData.type !== CLIENT_DATA_TYPE[ceremony])
    throw new PasskeyError(
      'invalid_request',
      `The passkey answer is for another ceremony (${clientData.type}).`,
    )
  const challenge = await challenges.consume(clientData.challenge, ceremony, boundTo)
  if (!rp.origins.includes(clientData.origin))
    throw new PasskeyError(
      'origin_mismatch',
      `The passkey answer was made for another site (${clientData.origin.slice(0, 200)}), not this one.`,
    )
  const expected = createHash('sha256').update(rp.id, 'utf8').digest()
  if (rpIdHash.length !== expected.length || !timingSafeEqual(rpIdHash, expected))
    throw new PasskeyError(
      'rp_id_mismatch',
      `The passkey answer was made for another relying party, not ${rp.id}.`,
    )
  return { clientData, challenge }
}
