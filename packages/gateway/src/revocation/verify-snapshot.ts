import { isJOSEError, type KeyResolver, verifyJWT } from '@tessera/jose'
import { RevocationError } from './revocation-error.js'
import { parseSnapshot, type RevocationSnapshot } from './snapshot.js'

export interface SnapshotVerifierOptions {
  /** The issuer's JWKS (the one access tokens verify with). */
  readonly keys: KeyResolver<string>
  readonly issuer: string
  readonly algorithms: readonly string[]
  readonly clockTolerance?: number
  readonly currentDate?: Date
}

/** The snapshot's media type in the JWT header (`typ`), so no access token can pass for one. */
export const SNAPSHOT_TYP = 'revocations+jwt'

/** Verifies a snapshot JWT: signature under the issuer's keys, `typ`, `iss`, `exp`; then its shape. */
export function createSnapshotVerifier(
  options: SnapshotVerifierOptions,
): (jwt: string) => Promise<RevocationSnapshot> {
  return async (jwt) => {
    let payload: Record<string, unknown>
    try {
      ;({ payload } = await verifyJWT(jwt, options.keys, {
        algorithms: [...options.algorithms],
        issuer: options.issuer,
        typ: SNAPSHOT_TYP,
        requiredClaims: ['exp', 'iat', 'version'],
        clockTolerance: options.clockTolerance ?? 0,
        ...(options.currentDate ? { currentDate: options.currentDate } : {}),
      }))
    } catch (error) {
      if (!isJOSEError(error)) throw error
      throw new RevocationError('ERR_REVOCATION_INVALID', `revocation snapshot refused: ${error.code}`, {
        cause: error,
      })
    }
    return parseSnapshot(payload)
  }
}
