import {
  generateAuthenticationOptions,
  type PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/server'
import type { AuthorityContext } from '../authority-context.js'
import { CHALLENGE_LIFETIME_MS } from './relying-party.js'

/**
 * `navigator.credentials.get()` options for a sign-in: no allowCredentials (the passkey is
 * discoverable, so nobody types an email and nothing says which accounts exist), user verification
 * required. The challenge is bound to the browser's pre-login flow.
 */
export async function authenticationOptions(
  ctx: AuthorityContext,
  preLoginFlowId: string,
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const challenge = await ctx.passkeys.challenges.issue('authentication', preLoginFlowId)
  return generateAuthenticationOptions({
    rpID: ctx.passkeys.rp.id,
    challenge,
    timeout: CHALLENGE_LIFETIME_MS,
    userVerification: 'required',
  })
}
