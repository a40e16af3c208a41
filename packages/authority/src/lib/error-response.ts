import { isJOSEError } from '@tessera/jose'
import type { FastifyBaseLogger, FastifyError } from 'fastify'
import { OAuthError } from './oauth-error.js'

/** An error answer: status, extra headers and the RFC 6749 §5.2 body. */
export interface ErrorResponse {
  status: number
  headers: Record<string, string>
  body: { error: string; error_description?: string }
}

/**
 * What a failed request is answered: an OAuthError as itself; signing threads that cannot take the
 * signature as 503 temporarily_unavailable; Fastify's own 4xx (bad JSON, wrong media type, body too
 * large) as invalid_request with the same status; anything else as a logged 500.
 */
export function errorResponse(error: unknown, log: FastifyBaseLogger): ErrorResponse {
  if (error instanceof OAuthError) {
    if (error.status >= 500) log.error({ err: error }, error.message)
    return { status: error.status, headers: error.headers, body: error.toJSON() }
  }
  if (isJOSEError(error, 'ERR_JOSE_SIGNING_UNAVAILABLE')) {
    // The signing threads are overloaded, restarting or closing: the request was fine, so "try again"
    // with the standard body, not a 500.
    log.warn({ err: error }, 'signing unavailable')
    return {
      status: 503,
      headers: { 'retry-after': '1' },
      body: {
        error: 'temporarily_unavailable',
        error_description: 'signing is unavailable; retry the request',
      },
    }
  }
  const status = (error as FastifyError | undefined)?.statusCode ?? 500
  if (status >= 400 && status < 500) {
    const description = error instanceof Error ? error.message : 'bad request'
    return { status, headers: {}, body: { error: 'invalid_request', error_description: description } }
  }
  log.error({ err: error }, 'request failed')
  return { status: 500, headers: {}, body: { error: 'server_error', error_description: 'internal error' } }
}
