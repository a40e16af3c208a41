import { isJOSEError, JWTClaimValidationError, type Key, unsafeDecodeJWT, verifyJWT } from '@tessera/jose'
import { ALLOWED_ALGORITHMS } from '../config/parsers.js'
import type { FormBody } from '../lib/form-body.js'
import { isOpaqueId } from '../lib/identifiers.js'
import { OAuthError } from '../lib/oauth-error.js'
import type { AuthMethod } from './client-metadata.js'
import type { Client } from './client-registry.js'

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'

export interface ClientAuthContext {
  find(clientId: string): Promise<Client | undefined>
  matchesSecret(secret: string, hash: string | null): boolean
  /** Records an assertion's jti until it expires; false on replay. */
  useOnce(id: string, expiresAt: number): Promise<boolean>
  issuer: string
  tokenEndpoint: string
  clockTolerance: number
  assertionMaxLifetime: number
  now(): number
  date: Date | undefined
}

interface Presented {
  method: AuthMethod
  clientId: string
  secret?: string
  assertion?: string
}

/**
 * Until a secret has matched or an assertion's signature has verified, every failure reads the same,
 * so an unauthenticated caller cannot tell a registered client from an unknown one, a disabled one or
 * one registered for another method.
 */
const UNVERIFIED = 'client authentication failed'

function failed(description: string, basic: boolean): never {
  // RFC 6749 §5.2: a client that tried Basic gets 401 with a challenge for it.
  throw new OAuthError(
    'invalid_client',
    description,
    basic ? { headers: { 'www-authenticate': 'Basic realm="tessera"' } } : {},
  )
}

/** RFC 6749 §2.3.1: both parts are form-urlencoded before the Basic encoding. */
function decodeBasic(header: string): { clientId: string; secret: string } | undefined {
  const match = /^Basic ([A-Za-z0-9+/]+=*)$/i.exec(header.trim())
  if (!match) return undefined
  const decoded = Buffer.from(match[1] as string, 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  if (colon < 0) return undefined
  try {
    const unform = (part: string) => decodeURIComponent(part.replace(/\+/g, ' '))
    return { clientId: unform(decoded.slice(0, colon)), secret: unform(decoded.slice(colon + 1)) }
  } catch {
    return undefined
  }
}

/** Exactly one authentication method per request (RFC 6749 §2.3). */
function presentedCredentials(authorization: string | undefined, form: FormBody): Presented {
  const found: Presented[] = []
  if (authorization !== undefined) {
    const basic = decodeBasic(authorization)
    if (!basic) failed('malformed Basic authorization header', true)
    found.push({ method: 'client_secret_basic', ...basic })
  }
  if (form.client_secret !== undefined) {
    found.push({ method: 'client_secret_post', clientId: form.client_id ?? '', secret: form.client_secret })
  }
  if (form.client_assertion !== undefined || form.client_assertion_type !== undefined) {
    if (form.client_assertion_type !== JWT_BEARER || !form.client_assertion) {
      throw new OAuthError(
        'invalid_request',
        `client_assertion_type must be ${JWT_BEARER}, with a client_assertion`,
      )
    }
    let iss: unknown
    try {
      iss = unsafeDecodeJWT(form.client_assertion).payload.iss
    } catch {
      failed('the client assertion is not a JWT', false)
    }
    if (typeof iss !== 'string') failed('the client assertion has no "iss"', false)
    found.push({ method: 'private_key_jwt', clientId: iss, assertion: form.client_assertion })
  }
  if (found.length === 0) failed('client authentication is required', false)
  if (found.length > 1)
    throw new OAuthError('invalid_request', 'use exactly one client authentication method')
  const presented = found[0] as Presented
  if (form.client_id !== undefined && form.client_id !== presented.clientId) {
    throw new OAuthError('invalid_request', '"client_id" does not match the authenticated client')
  }
  return presented
}

async function verifyAssertion(client: Client, assertion: string, context: ClientAuthContext): Promise<void> {
  const keys = client.keys
  const local = (header: { kid?: unknown }): Key => {
    const key =
      header.kid === undefined && keys.length === 1 ? keys[0] : keys.find((k) => k.kid === header.kid)
    if (!key) failed(UNVERIFIED, false)
    return key
  }
  const resolve = client.remoteKeys ?? local
  const algorithms = client.metadata.token_endpoint_auth_signing_alg
    ? [client.metadata.token_endpoint_auth_signing_alg]
    : ALLOWED_ALGORITHMS
  let payload: Record<string, unknown>
  try {
    ;({ payload } = await verifyJWT(assertion, resolve, {
      algorithms,
      issuer: client.clientId,
      subject: client.clientId,
      // RFC 7523 §3: the audience identifies the authorization server: its issuer or token endpoint.
      audience: [context.issuer, context.tokenEndpoint],
      requiredClaims: ['exp', 'jti'],
      clockTolerance: context.clockTolerance,
      ...(context.date ? { currentDate: context.date } : {}),
    }))
  } catch (error) {
    if (error instanceof OAuthError) throw error
    // Claims are validated only after the signature verified: from then on the reason may be told.
    if (error instanceof JWTClaimValidationError) failed(`invalid client assertion: ${error.message}`, false)
    if (isJOSEError(error)) failed(UNVERIFIED, false)
    throw error
  }
  const exp = payload.exp as number
  const nowSeconds = context.now() / 1000
  if (exp - nowSeconds > context.assertionMaxLifetime) failed('the client assertion lives too long', false)
  if (!isOpaqueId(payload.jti))
    failed('the client assertion needs a "jti" of 1 to 200 visible ASCII characters', false)
  const expiresAt = (exp + context.clockTolerance) * 1000
  if (!(await context.useOnce(`${client.clientId}:${payload.jti}`, expiresAt))) {
    failed('the client assertion was already used', false)
  }
}

/** Authenticates the client of a token, introspection or revocation request, or throws invalid_client. */
export async function authenticateClient(
  authorization: string | undefined,
  form: FormBody,
  context: ClientAuthContext,
): Promise<Client> {
  const presented = presentedCredentials(authorization, form)
  const basic = presented.method === 'client_secret_basic'
  const client = presented.clientId ? await context.find(presented.clientId) : undefined
  const registeredMethod = client?.metadata.token_endpoint_auth_method
  if (presented.secret !== undefined) {
    // Hash even for unknown clients, so the response time does not reveal which client ids exist.
    const matches = context.matchesSecret(presented.secret, client?.secretHash ?? null)
    if (!client || !matches) failed(UNVERIFIED, basic)
  } else if (presented.assertion !== undefined) {
    if (!client || client.disabled || registeredMethod !== 'private_key_jwt') failed(UNVERIFIED, basic)
    await verifyAssertion(client, presented.assertion, context)
  }
  if (!client) failed(UNVERIFIED, basic)
  // The credentials verified: the caller holds this client's secret or key, and may learn why not.
  if (client.disabled) failed('the client is disabled', basic)
  if (registeredMethod !== presented.method) failed(`the client is registered for ${registeredMethod}`, basic)
  return client
}
