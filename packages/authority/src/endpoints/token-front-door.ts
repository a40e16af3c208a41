import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AuthorityContext } from '../authority-context.js'
import { errorResponse } from '../lib/error-response.js'
import { parseForm } from '../lib/form-body.js'
import type { FrontDoor } from '../lib/graceful-shutdown.js'
import { PATHS } from '../lib/paths.js'
import { answerTokenRequest, TOKEN_RESPONSE_HEADERS } from './token.js'

const FORM = 'application/x-www-form-urlencoded'
const JSON_TYPE = 'application/json; charset=utf-8'
/** A Content-Length as llhttp accepts it: digits only. */
const DECIMAL = /^[0-9]{1,10}$/

export interface TokenFrontDoorOptions {
  /** Called with the grant type of every token response sent (the metrics' count by grant). */
  onIssued?: ((grantType: string | undefined) => void) | undefined
}

/**
 * The token endpoint's plain requests answered ahead of Fastify (lib/graceful-shutdown's FrontDoor):
 * a POST to exactly the token path, without an Origin header, with a form body of a declared length
 * within the body limit. It is the endpoint's most frequent request (a service fetching its token),
 * and Fastify's routing, content-type parsing, hooks and reply pipeline cost it about as much CPU as
 * answering it does. The answer is the Fastify route's: the same processing rules
 * (answerTokenRequest), headers, error bodies and statuses. Anything else — a browser's request with
 * its Origin (CORS), another media type, a chunked or empty body, a body over the limit — is left to
 * the Fastify route, which reads nothing twice: the decision is taken on the headers alone.
 */
export function answerTokenRequestsAtFrontDoor(
  front: FrontDoor,
  ctx: AuthorityContext,
  options: TokenFrontDoorOptions = {},
): void {
  const { bodyLimit } = ctx.config
  const { onIssued } = options
  front.route('POST', PATHS.token, (request, response) => {
    const { headers } = request
    if (headers.origin !== undefined || headers['transfer-encoding'] !== undefined) return false
    const type = headers['content-type']
    if (type === undefined || !isForm(type)) return false
    const length = headers['content-length']
    if (length === undefined || !DECIMAL.test(length)) return false
    const bytes = Number(length)
    if (bytes === 0 || bytes > bodyLimit) return false
    readBody(request, bytes, (body) => {
      let form: ReturnType<typeof parseForm>
      try {
        form = parseForm(body)
      } catch (error) {
        sendError(ctx, response, error)
        return
      }
      answerTokenRequest(ctx, form, headers.authorization, request.socket.remoteAddress ?? '').then(
        (answer) => {
          sendJson(response, 200, TOKEN_RESPONSE_HEADERS, JSON.stringify(answer))
          onIssued?.(form.grant_type)
        },
        (error: unknown) => sendError(ctx, response, error),
      )
    })
    return true
  })
}

/** The media type, without parameters, is the form's (RFC 9110 §8.3.1: case-insensitive). */
function isForm(contentType: string): boolean {
  const semicolon = contentType.indexOf(';')
  const media = (semicolon < 0 ? contentType : contentType.slice(0, semicolon)).trim()
  return media.length === FORM.length && media.toLowerCase() === FORM
}

/**
 * The body, decoded as UTF-8 like Fastify's string parser, once all `bytes` arrived; nothing when the
 * request is aborted (the client is gone, and Node's request timeout covers one that stalls).
 */
function readBody(request: IncomingMessage, bytes: number, then: (body: string) => void): void {
  const chunks: Buffer[] = []
  let received = 0
  request.on('data', (chunk: Buffer) => {
    received += chunk.length
    // llhttp never delivers more than Content-Length; kept as a guard on the limit all the same.
    if (received <= bytes) chunks.push(chunk)
  })
  request.once('end', () => {
    if (received !== bytes) return
    then((chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)).toString('utf8'))
  })
}

function sendJson(
  response: ServerResponse,
  status: number,
  headers: Readonly<Record<string, string>>,
  body: string,
): void {
  if (response.destroyed) return
  response.writeHead(status, {
    // The Fastify route's CORS hook names Origin in Vary on every answer; so does this one.
    vary: 'Origin',
    ...headers,
    'content-type': JSON_TYPE,
    'content-length': Buffer.byteLength(body),
  })
  response.end(body)
}

function sendError(ctx: AuthorityContext, response: ServerResponse, error: unknown): void {
  const { status, headers, body } = errorResponse(error, ctx.log)
  sendJson(response, status, { ...headers, 'cache-control': 'no-store' }, JSON.stringify(body))
}
