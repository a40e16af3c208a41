import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify'
import { OAuthError } from '../lib/oauth-error.js'
import { html } from './html.js'
import { renderPage } from './layout.js'
import { PAGE_ERRORS, PageError, type PageErrorCode } from './page-error.js'
import { sendPage } from './send-page.js'

export interface ErrorPageContent {
  readonly title: string
  readonly message: string
  /** Where to go from here; default: back to the start page. */
  readonly next?: { readonly href: string; readonly label: string }
  /** Stable code, rendered in the page for support and tests (data-error attribute). */
  readonly code?: string
}

export function sendErrorPage(reply: FastifyReply, status: number, content: ErrorPageContent): FastifyReply {
  const next = content.next ?? { href: '/', label: 'Go to the start page' }
  const body = html`<div class="error" role="alert" data-error="${content.code ?? ''}">
<p>${content.message}</p>
</div>
<p><a href="${next.href}">${next.label}</a></p>`
  return sendPage(reply, status, renderPage({ title: content.title, body }))
}

const FASTIFY_CODES: Readonly<Record<number, PageErrorCode>> = {
  400: 'bad_request',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
}

/**
 * Error handling for the page routes: coded page faults, OAuth errors raised by shared helpers (the
 * form parser's repeated parameter), and Fastify's own 4xx (malformed body, too large, wrong media
 * type) all become a 4xx page; anything else is logged and a plain 500 page that reveals nothing.
 */
export function usePageErrors(scope: FastifyInstance): void {
  scope.setErrorHandler((error: FastifyError | PageError | OAuthError, _request, reply) => {
    if (error instanceof PageError) {
      reply.headers(error.headers)
      return sendErrorPage(reply, error.status, {
        title: error.title,
        message: error.message,
        code: error.code,
      })
    }
    if (error instanceof OAuthError && error.status < 500) {
      reply.headers(error.headers)
      const code: PageErrorCode = error.status === 429 ? 'too_many_requests' : 'bad_request'
      return sendErrorPage(reply, error.status, {
        title: PAGE_ERRORS[code].title,
        message: error.message,
        code,
      })
    }
    const status = (error as FastifyError).statusCode ?? 500
    if (status >= 400 && status < 500) {
      const code = FASTIFY_CODES[status] ?? 'bad_request'
      return sendErrorPage(reply, status, {
        title: PAGE_ERRORS[code].title,
        message:
          status === 413 ? 'The form sent more data than this page accepts.' : 'The form data was malformed.',
        code,
      })
    }
    scope.log.error({ err: error }, 'page failed')
    return sendErrorPage(reply, 500, {
      title: PAGE_ERRORS.server_error.title,
      message: 'The server could not complete this request. Please try again.',
      code: 'server_error',
    })
  })
}
