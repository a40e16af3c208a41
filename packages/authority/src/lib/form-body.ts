import type { FastifyInstance } from 'fastify'
import { OAuthError } from './oauth-error.js'

export type FormBody = Readonly<Record<string, string>>

/**
 * Parses application/x-www-form-urlencoded bodies (RFC 6749 §3.2) into a flat record. RFC 6749 §3.1
 * forbids repeated parameters, and a repeated one is how a request smuggles a second value past a
 * check, so any repetition is refused.
 */
export function parseForm(text: string): FormBody {
  const result: Record<string, string> = Object.create(null)
  for (const [name, value] of new URLSearchParams(text)) {
    if (name in result) {
      // RFC 8707 §2 allows several `resource` values; this authority issues one audience per token.
      if (name === 'resource') throw new OAuthError('invalid_target', 'name one resource per token request')
      throw new OAuthError('invalid_request', `parameter "${name}" is repeated`)
    }
    result[name] = value
  }
  return result
}

export function registerFormParser(app: FastifyInstance): void {
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_request, body, done) => {
      try {
        done(null, parseForm(body as string))
      } catch (error) {
        done(error as Error, undefined)
      }
    },
  )
}

/** The body of a form endpoint, or invalid_request when the request sent something else. */
export function formOf(body: unknown, contentType: string | undefined): FormBody {
  if (
    !contentType?.toLowerCase().startsWith('application/x-www-form-urlencoded') ||
    typeof body !== 'object' ||
    body === null
  ) {
    throw new OAuthError('invalid_request', 'the body must be application/x-www-form-urlencoded')
  }
  return body as FormBody
}
