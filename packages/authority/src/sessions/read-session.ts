import type { FastifyRequest } from 'fastify'
import type { AuthorityContext } from '../authority-context.js'
import type { UserRecord } from '../storage/types.js'
import type { BrowserSession } from './browser-session.js'
import { readCookie } from './cookies.js'

export interface SignedIn {
  readonly session: BrowserSession
  readonly user: UserRecord
}

/** One lookup per request, however many handlers and templates ask. */
const perRequest = new WeakMap<FastifyRequest, Promise<SignedIn | null>>()

async function lookUp(request: FastifyRequest, context: AuthorityContext): Promise<SignedIn | null> {
  const secret = readCookie(request.headers.cookie, context.cookies.session)
  if (secret === undefined) return null
  const session = await context.sessions.find(secret)
  if (session === undefined) return null
  const user = await context.users.find(session.userId)
  // A disabled or deleted user's sessions are ended when that happens; this is the belt to those braces.
  if (user === undefined || user.status !== 'active') return null
  return { session, user }
}

/** The browser's live session and its user, or null (no cookie, unknown, timed out, user disabled). */
export function readSignedIn(request: FastifyRequest, context: AuthorityContext): Promise<SignedIn | null> {
  let found = perRequest.get(request)
  if (found === undefined) {
    found = lookUp(request, context)
    perRequest.set(request, found)
  }
  return found
}

/** The browser's live session, or null; checks the idle and absolute timeouts and the user's status. */
export async function readBrowserSession(
  request: FastifyRequest,
  context: AuthorityContext,
): Promise<BrowserSession | null> {
  return (await readSignedIn(request, context))?.session ?? null
}
