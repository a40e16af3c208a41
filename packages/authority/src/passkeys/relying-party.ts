import type { AuthorityConfig } from '../config/load-config.js'

/** What every ceremony checks against: the RP ID and the origins our pages are served from. */
export interface RelyingParty {
  readonly id: string
  readonly name: string
  readonly origins: readonly string[]
}

export function relyingParty(config: AuthorityConfig): RelyingParty {
  return { id: config.webauthnRpId, name: 'Tessera', origins: config.webauthnOrigins }
}

/**
 * Policy: user verification is required in both ceremonies (a passkey is the only factor, so the
 * authenticator must check the person); attestation is `none` (we do not gate on authenticator
 * make or model, and asking for attestation would only reveal it); ES256 and Ed25519 come first,
 * RS256 is accepted for authenticators (Windows Hello) that offer nothing else, and ES384/ES512
 * (P-384, P-521) last.
 */
export const SUPPORTED_ALGORITHMS = [-7, -8, -257, -35, -36] as const
/** How long a browser has to answer a ceremony; also what it is told as `timeout`. */
export const CHALLENGE_LIFETIME_MS = 5 * 60_000
