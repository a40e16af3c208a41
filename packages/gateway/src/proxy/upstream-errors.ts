const TIMEOUTS = new Set([
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'FST_REPLY_FROM_GATEWAY_TIMEOUT',
  'ETIMEDOUT',
])

export type UpstreamFailure = 'timeout' | 'unreachable'

function codeOf(error: unknown): string | undefined {
  let current = error as { code?: unknown; cause?: unknown } | undefined
  for (let depth = 0; current && depth < 4; depth++) {
    if (typeof current.code === 'string' && TIMEOUTS.has(current.code)) return current.code
    current = current.cause as typeof current
  }
  return (error as { code?: string } | undefined)?.code
}

export function classifyUpstreamError(error: unknown): UpstreamFailure {
  if ((error as { statusCode?: unknown } | undefined)?.statusCode === 504) return 'timeout'
  const code = codeOf(error)
  return code !== undefined && TIMEOUTS.has(code) ? 'timeout' : 'unreachable'
}

/** 504 when the upstream was too slow, 502 for everything else; a JSON body either way, no details. */
interface ReplyLike {
  readonly sent: boolean
  code(status: number): ReplyLike
  header(name: string, value: string): ReplyLike
  type(contentType: string): ReplyLike
  send(body: unknown): unknown
}

export function replyUpstreamFailure(reply: ReplyLike, failure: UpstreamFailure): void {
  if (reply.sent) return
  const status = failure === 'timeout' ? 504 : 502
  const body =
    failure === 'timeout'
      ? { error: 'upstream_timeout', error_description: 'the upstream did not answer in time' }
      : { error: 'bad_gateway', error_description: 'the upstream could not be reached' }
  reply.code(status).header('cache-control', 'no-store').type('application/json; charset=utf-8').send(body)
}
