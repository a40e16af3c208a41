/**
 * Stable codes of the passkey endpoints' refusals, each with its status. The JSON body is the one the
 * OAuth endpoints use (`error`, `error_description`), so every API of the authority fails alike.
 */
export const PASSKEY_ERRORS = {
  invalid_request: 400,
  not_signed_in: 401,
  csrf_failed: 403,
  challenge_unknown: 400,
  challenge_used: 400,
  challenge_expired: 400,
  origin_mismatch: 400,
  rp_id_mismatch: 400,
  verification_failed: 400,
  user_verification_required: 400,
  unsupported_algorithm: 400,
  credential_taken: 409,
  unknown_credential: 401,
  revoked_credential: 401,
  counter_regression: 401,
  user_not_allowed: 403,
} as const

export type PasskeyErrorCode = keyof typeof PASSKEY_ERRORS

export class PasskeyError extends Error {
  readonly code: PasskeyErrorCode
  readonly status: number

  /** `status` only for a request the HTTP layer refused (413, 415): its own status is the truer one. */
  constructor(code: PasskeyErrorCode, message: string, status: number = PASSKEY_ERRORS[code]) {
    super(message)
    this.name = 'PasskeyError'
    this.code = code
    this.status = status
  }

  toJSON(): { error: PasskeyErrorCode; error_description: string } {
    return { error: this.code, error_description: this.message }
  }
}
