import type { AuthorityContext } from '../authority-context.js'
import type { Client } from '../clients/client-registry.js'
import type { FormBody } from '../lib/form-body.js'
import { isClientId } from '../lib/identifiers.js'
import { OAuthError } from '../lib/oauth-error.js'
import { PageError } from '../pages/page-error.js'
import { checkCodeChallenge } from './pkce.js'
import { matchesRegistered } from './redirect-uris.js'
import { requestedScopes } from './scopes.js'

/** Limits that keep a whole request inside a sign-in `return_to` (2048 characters). */
const MAX_STATE = 512
const MAX_NONCE = 255

/** The error codes an authorization response may carry (RFC 6749 §4.1.2.1, OIDC Core §3.1.2.6). */
export type AuthorizationErrorCode =
  | 'invalid_request'
  | 'unsupported_response_type'
  | 'invalid_scope'
  | 'access_denied'
  | 'login_required'
  | 'consent_required'
  | 'request_not_supported'
  | 'request_uri_not_supported'
  | 'server_error'

/** A fault found after the redirect URI was trusted: answered by redirecting to the client. */
export class AuthorizationError extends Error {
  readonly code: AuthorizationErrorCode
  constructor(code: AuthorizationErrorCode, description: string) {
    super(description)
    this.name = 'AuthorizationError'
    this.code = code
  }
}

/** The part of a request that decides where answers may go: a known client, a registered URI. */
export interface TrustedTarget {
  readonly client: Client
  readonly redirectUri: string
  readonly state: string | undefined
}

export interface AuthorizationRequest extends TrustedTarget {
  readonly scopes: readonly string[]
  readonly nonce: string | undefined
  readonly codeChallenge: string
  readonly prompt: ReadonlySet<string>
  /** Seconds, OIDC Core §3.1.2.1. */
  readonly maxAge: number | undefined
}

/**
 * Steps 1 and 2 (RFC 6749 §4.1.2.1, RFC 9700 §4.1): a known, enabled client registered for the code
 * flow, and a redirect_uri it registered. Until both hold, nothing may redirect — a failure here is
 * an error page, so the endpoint can never become an open redirect.
 */
export async function trustTarget(ctx: AuthorityContext, params: FormBody): Promise<TrustedTarget> {
  const clientId = params.client_id
  const client = clientId && isClientId(clientId) ? await ctx.clients.find(clientId) : undefined
  if (!client || client.disabled || !client.metadata.grant_types.includes('authorization_code'))
    throw new PageError(
      'bad_request',
      'The application that sent you here is not registered with this server.',
      {
        title: 'Unknown application',
      },
    )
  const redirectUri = params.redirect_uri
  if (!redirectUri || !matchesRegistered(redirectUri, client.metadata.redirect_uris))
    throw new PageError(
      'bad_request',
      'The application asked to send you back to an address it has not registered, so you were not sent anywhere.',
      { title: 'Unregistered redirect address' },
    )
  const state = params.state
  if (state !== undefined && (state.length === 0 || state.length > MAX_STATE))
    // The state cannot be echoed faithfully, so it is not echoed at all.
    return { client, redirectUri, state: undefined }
  return { client, redirectUri, state }
}

function fault(code: AuthorizationErrorCode, description: string): never {
  throw new AuthorizationError(code, description)
}

/** `prompt` (OIDC Core §3.1.2.1): `none` stands alone; unknown values are refused. */
function parsePrompt(value: string | undefined): Set<string> {
  if (value === undefined) return new Set()
  const values = new Set(value.split(' '))
  for (const item of values)
    if (!['none', 'login', 'consent'].includes(item)) fault('invalid_request', `unsupported prompt "${item}"`)
  if (values.has('none') && values.size > 1) fault('invalid_request', 'prompt=none cannot be combined')
  return values
}

function parseMaxAge(value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  if (!/^\d{1,9}$/.test(value)) fault('invalid_request', '"max_age" must be a number of seconds')
  return Number(value)
}

/**
 * Step 3 onwards, answered by redirect: the code flow only (OIDC Core §3.1.2.1), no request objects,
 * the scopes (openid required), PKCE S256, and the limits on state and nonce.
 */
export function validateRequest(target: TrustedTarget, params: FormBody): AuthorizationRequest {
  if (params.state !== undefined && target.state === undefined)
    fault('invalid_request', `"state" must be 1 to ${MAX_STATE} characters`)
  if (params.request !== undefined) fault('request_not_supported', 'request objects are not supported')
  if (params.request_uri !== undefined) fault('request_uri_not_supported', 'request_uri is not supported')
  if (params.response_type !== 'code')
    fault('unsupported_response_type', 'only response_type=code (the authorization code flow) is supported')
  if (params.response_mode !== undefined && params.response_mode !== 'query')
    fault('invalid_request', 'only response_mode=query is supported')
  let scopes: string[]
  let codeChallenge: string
  try {
    scopes = requestedScopes(params.scope, target.client.scopes)
    codeChallenge = checkCodeChallenge(params.code_challenge, params.code_challenge_method)
  } catch (error) {
    if (error instanceof OAuthError)
      fault(error.error === 'invalid_scope' ? 'invalid_scope' : 'invalid_request', error.message)
    throw error
  }
  const nonce = params.nonce
  if (nonce !== undefined && (nonce.length === 0 || nonce.length > MAX_NONCE))
    fault('invalid_request', `"nonce" must be 1 to ${MAX_NONCE} characters`)
  return {
    ...target,
    scopes,
    nonce,
    codeChallenge,
    prompt: parsePrompt(params.prompt),
    maxAge: parseMaxAge(params.max_age),
  }
}
