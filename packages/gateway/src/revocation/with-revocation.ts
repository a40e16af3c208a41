import type { RefusalReason } from '../errors.js'
import type { TokenVerification, TokenVerifier } from '../verify/create-token-verifier.js'
import type { Identity } from '../verify/identity.js'
import type { RevocationState } from './revocation-state.js'

function refusalFor(state: RevocationState, identity: Identity): RefusalReason | undefined {
  const verdict = state.verdict(identity.claims)
  if (verdict === 'valid') return undefined
  return verdict === 'revoked' ? 'revoked' : 'revocation_unavailable'
}

/**
 * The same verifier, with the revocation snapshot applied after every verification, cached or not:
 * a revoked token is `401 invalid_token` ("the token has been revoked"); under the closed policy a
 * stale snapshot is `503`, since the gateway cannot tell. Each snapshot that changes what is revoked
 * also drops the revoked tokens from the verifier's cache.
 */
export function withRevocation(verifier: TokenVerifier, state: RevocationState): TokenVerifier {
  state.onChange(() => verifier.forget((identity) => state.verdict(identity.claims) === 'revoked'))
  const verify = async (token: string): Promise<TokenVerification> => {
    const result = await verifier.verify(token)
    if (!result.ok) return result
    const reason = refusalFor(state, result.identity)
    return reason === undefined ? result : { ok: false, reason }
  }
  return Object.freeze({
    issuer: verifier.issuer,
    verify,
    async verifyRequest(request, options) {
      const result = await verifier.verifyRequest(request, options)
      if (!result.ok) return result
      const reason = refusalFor(state, result.identity)
      return reason === undefined ? result : { ok: false, refusal: verifier.refusal(reason) }
    },
    refusal: (reason, scopes) => verifier.refusal(reason, scopes),
    ready: () => verifier.ready(),
    forget: (test) => verifier.forget(test),
    get keys() {
      return verifier.keys
    },
  } satisfies TokenVerifier)
}
