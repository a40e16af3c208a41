/** Stable codes for everything that can go wrong with a revocation snapshot. */
export type RevocationErrorCode =
  | 'ERR_REVOCATION_FETCH_FAILED'
  | 'ERR_REVOCATION_TOO_LARGE'
  | 'ERR_REVOCATION_INVALID'
  | 'ERR_REVOCATION_OLDER_VERSION'

/** A revocation snapshot could not be fetched or was refused; `code` says which. */
export class RevocationError extends Error {
  readonly code: RevocationErrorCode
  constructor(code: RevocationErrorCode, message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'RevocationError'
    this.code = code
  }
}
