/** RFC 6749 §5.2, RFC 7591 §3.2.2 and RFC 6750 §3.1 error codes. */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'invalid_target'
  | 'invalid_client_metadata'
  | 'invalid_token'
  | 'unsupported_token_type'
  | 'slow_down'
  | 'not_found'
  | 'server_error'
  | 'temporarily_unavailable'

const STATUS: Readonly<Record<OAuthErrorCode, number>> = {
  invalid_request: 400,
  invalid_client: 401,
  invalid_grant: 400,
  unauthorized_client: 400,
  unsupported_grant_type: 400,
  invalid_scope: 400,
  invalid_target: 400,
  invalid_client_metadata: 400,
  invalid_token: 401,
  unsupported_token_type: 400,
  slow_down: 429,
  not_found: 404,
  server_error: 500,
  temporarily_unavailable: 503,
}

/** An error with its OAuth wire code; the error handler turns it into the JSON body and status. */
export class OAuthError extends Error {
  readonly error: OAuthErrorCode
  readonly status: number
  readonly headers: Record<string, string>

  constructor(
    error: OAuthErrorCode,
    description: string,
    options: { status?: number; headers?: Record<string, string> } = {},
  ) {
    super(description)
    this.name = 'OAuthError'
    this.error = error
    this.status = options.status ?? STATUS[error]
    this.headers = options.headers ?? {}
  }

  toJSON(): { error: string; error_description: string } {
    return { error: this.error, error_description: this.message }
  }
}
