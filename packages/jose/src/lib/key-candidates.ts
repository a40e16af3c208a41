import { JOSEError } from '../errors.js'

/**
 * A resolver that cannot tell keys apart (a JWK set lookup for a token without `kid`) may return
 * several candidates, tried in order. The bound keeps a hostile token from costing more than a few
 * signature verifications, whatever the resolver returns.
 */
export const MAX_KEY_CANDIDATES = 16

/** Checks a resolver's list of candidates before any of them is tried. */
export function candidateList(input: readonly unknown[]): readonly unknown[] {
  if (input.length === 0) {
    throw new JOSEError('ERR_JOSE_KEY_RESOLUTION_FAILED', 'the key resolver returned no candidate keys')
  }
  if (input.length > MAX_KEY_CANDIDATES) {
    throw new JOSEError(
      'ERR_JOSE_KEY_RESOLUTION_FAILED',
      `the key resolver returned more than ${MAX_KEY_CANDIDATES} candidate keys`,
    )
  }
  // Nesting would let the bound be sidestepped by recursion.
  if (input.some((candidate) => Array.isArray(candidate))) {
    throw new JOSEError('ERR_JOSE_KEY_RESOLUTION_FAILED', 'candidate keys must not be nested lists')
  }
  return input
}

/**
 * Keeps a candidate's failure so the caller sees why none verified. A non-coded error is a bug
 * (in a resolver or in this library) and is rethrown at once rather than hidden behind the others.
 */
export function recordCandidateFailure(errors: unknown[], error: unknown): void {
  if (!(error instanceof JOSEError)) throw error
  errors.push(error)
}

/**
 * One failure is reported as itself; several failures with one code (every candidate's signature
 * failed) keep that code; a mix becomes a signature failure carrying every reason.
 */
export function candidatesFailed(errors: readonly unknown[]): unknown {
  const [first] = errors
  if (errors.length === 1) return first
  const codes = new Set(errors.map((error) => (error as JOSEError).code))
  if (codes.size === 1 && first instanceof JOSEError) {
    return new JOSEError(first.code, `no candidate key verified: ${first.message}`, {
      cause: new AggregateError(errors, 'every candidate key failed'),
    })
  }
  return new JOSEError('ERR_JWS_SIGNATURE_INVALID', 'no candidate key verified the signature', {
    cause: new AggregateError(errors, 'every candidate key failed'),
  })
}
