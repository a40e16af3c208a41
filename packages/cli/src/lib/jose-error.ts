import { isJOSEError, JWTClaimValidationError } from '@tessera/jose'

export interface Refusal {
  readonly code: string
  readonly claim?: string
  readonly message: string
}

/** A token fault as data: its stable code, the claim when a claim failed, and the message. */
export function refusal(error: unknown): Refusal | undefined {
  if (!isJOSEError(error)) return undefined
  if (error instanceof JWTClaimValidationError)
    return { code: error.code, claim: error.claim, message: error.message }
  return { code: error.code, message: error.message }
}

export function describeRefusal(r: Refusal): string {
  return `${r.code}${r.claim ? ` (${r.claim})` : ''}: ${r.message}`
}
