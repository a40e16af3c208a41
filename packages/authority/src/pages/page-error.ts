/** Stable codes of the faults a page answers; each has its status and a title people can read. */
export const PAGE_ERRORS = {
  bad_request: { status: 400, title: 'That request could not be understood' },
  csrf_failed: { status: 403, title: 'This form has expired' },
  forbidden: { status: 403, title: 'Not allowed' },
  not_found: { status: 404, title: 'Page not found' },
  method_not_allowed: { status: 405, title: 'Not allowed' },
  payload_too_large: { status: 413, title: 'That was too much' },
  unsupported_media_type: { status: 415, title: 'That request could not be understood' },
  too_many_requests: { status: 429, title: 'Too many attempts' },
  server_error: { status: 500, title: 'Something went wrong' },
} as const

export type PageErrorCode = keyof typeof PAGE_ERRORS

/**
 * A fault to answer with an error page: the code fixes status and title, the message says what
 * happened and what to do next, in words for the person at the browser.
 */
export class PageError extends Error {
  readonly code: PageErrorCode
  readonly status: number
  readonly title: string
  readonly headers: Readonly<Record<string, string>>

  constructor(
    code: PageErrorCode,
    message: string,
    options: { title?: string; headers?: Record<string, string> } = {},
  ) {
    super(message)
    this.name = 'PageError'
    this.code = code
    this.status = PAGE_ERRORS[code].status
    this.title = options.title ?? PAGE_ERRORS[code].title
    this.headers = options.headers ?? {}
  }
}
