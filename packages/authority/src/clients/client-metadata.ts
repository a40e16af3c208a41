import { importJWKSync, type JWK } from '@tessera/jose'
import { ALLOWED_ALGORITHMS } from '../config/parsers.js'
import { OAuthError } from '../lib/oauth-error.js'

export const AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt'] as const
export type AuthMethod = (typeof AUTH_METHODS)[number]

/** The registered metadata this authority understands (RFC 7591 §2, plus `resources`). */
export interface ClientMetadata {
  client_name?: string
  token_endpoint_auth_method: AuthMethod
  grant_types: string[]
  /** Space-separated scopes the client may request. */
  scope?: string
  /** Absolute URIs the client may name as RFC 8707 `resource`; the first is the default audience. */
  resources?: string[]
  jwks?: { keys: JWK[] }
  /** Where the client publishes its assertion keys; fetched with @tessera/jose's remote JWKS client. */
  jwks_uri?: string
  token_endpoint_auth_signing_alg?: string
}

export interface MetadataPolicy {
  /** Accept http: jwks_uri values (loopback tests only). */
  allowHttpJwksUri: boolean
}

/** RFC 6749 §3.3 scope-token: NQCHAR (%x21 / %x23-5B / %x5D-7E). */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/

function invalid(message: string): never {
  throw new OAuthError('invalid_client_metadata', message)
}

export function isAbsoluteUri(value: string): boolean {
  try {
    const url = new URL(value)
    return url.hash === '' && url.protocol.length > 1
  } catch {
    return false
  }
}

export function parseScope(scope: string): string[] {
  const tokens = scope.split(' ')
  if (tokens.some((token) => !SCOPE_TOKEN.test(token)))
    throw new OAuthError('invalid_scope', 'malformed scope')
  return [...new Set(tokens)]
}

function optionalString(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name]
  if (value !== undefined && (typeof value !== 'string' || value.length === 0 || value.length > 1000)) {
    invalid(`"${name}" must be a non-empty string`)
  }
  return value as string | undefined
}

/** Validates a registration request body into metadata; anything unusable is invalid_client_metadata. */
export function validateClientMetadata(
  body: unknown,
  policy: MetadataPolicy = { allowHttpJwksUri: false },
): ClientMetadata {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    invalid('the body must be a JSON object')
  const input = body as Record<string, unknown>
  const method = input.token_endpoint_auth_method ?? 'client_secret_basic'
  if (!AUTH_METHODS.includes(method as AuthMethod))
    invalid(`"token_endpoint_auth_method" must be one of ${AUTH_METHODS.join(', ')}`)
  const metadata: ClientMetadata = {
    token_endpoint_auth_method: method as AuthMethod,
    grant_types: validateGrantTypes(input.grant_types),
  }
  const name = optionalString(input, 'client_name')
  if (name !== undefined) metadata.client_name = name
  const scope = optionalString(input, 'scope')
  if (scope !== undefined) {
    try {
      metadata.scope = parseScope(scope).join(' ')
    } catch {
      invalid('"scope" must be space-separated scope tokens')
    }
  }
  if (input.resources !== undefined) {
    const resources = input.resources
    if (
      !Array.isArray(resources) ||
      resources.length === 0 ||
      resources.some((r) => typeof r !== 'string' || !isAbsoluteUri(r))
    ) {
      invalid('"resources" must be a non-empty array of absolute URIs without fragments')
    }
    metadata.resources = resources as string[]
  }
  if (input.jwks !== undefined) metadata.jwks = validateJwks(input.jwks)
  const jwksUri = optionalString(input, 'jwks_uri')
  if (jwksUri !== undefined) metadata.jwks_uri = validateJwksUri(jwksUri, policy)
  const hasKeys = metadata.jwks !== undefined || metadata.jwks_uri !== undefined
  // RFC 7591 §2: jwks and jwks_uri must not both be present.
  if (metadata.jwks !== undefined && metadata.jwks_uri !== undefined)
    invalid('use "jwks" or "jwks_uri", not both')
  if (method === 'private_key_jwt' && !hasKeys) invalid('private_key_jwt needs "jwks" or "jwks_uri"')
  if (method !== 'private_key_jwt' && hasKeys) invalid('"jwks" and "jwks_uri" are only for private_key_jwt')
  const signingAlg = optionalString(input, 'token_endpoint_auth_signing_alg')
  if (signingAlg !== undefined) {
    if (!ALLOWED_ALGORITHMS.includes(signingAlg))
      invalid('"token_endpoint_auth_signing_alg" is not supported')
    metadata.token_endpoint_auth_signing_alg = signingAlg
  }
  return metadata
}

/** The device-login grant (RFC 7523 §2.1); refresh tokens exist only for device logins here. */
const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer'
export const GRANT_TYPES = ['client_credentials', JWT_BEARER_GRANT, 'refresh_token'] as const

/**
 * RFC 7591 §2 grant_types, default ["client_credentials"]. A device-fleet client registers the
 * jwt-bearer grant; refresh_token comes with it (§2: the server may adjust) and never without it.
 */
function validateGrantTypes(input: unknown): string[] {
  const grantTypes = input ?? ['client_credentials']
  if (
    !Array.isArray(grantTypes) ||
    grantTypes.length === 0 ||
    grantTypes.some((type) => !GRANT_TYPES.includes(type))
  ) {
    invalid(`"grant_types" must be a non-empty array of ${GRANT_TYPES.join(', ')}`)
  }
  const types = new Set<string>(grantTypes as string[])
  if (types.has(JWT_BEARER_GRANT)) types.add('refresh_token')
  else if (types.has('refresh_token')) invalid('"refresh_token" needs the jwt-bearer grant (device logins)')
  return GRANT_TYPES.filter((type) => types.has(type))
}

function validateJwksUri(value: string, policy: MetadataPolicy): string {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    invalid('"jwks_uri" must be an absolute URL')
  }
  const allowed = url.protocol === 'https:' || (url.protocol === 'http:' && policy.allowHttpJwksUri)
  if (!allowed || url.username || url.password || url.hash)
    invalid('"jwks_uri" must be an https URL without credentials')
  return url.href
}

/** Members only a private (or symmetric) JWK has: their presence means a key leaked into the request. */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']
/** The public members of each key type (RFC 7518 §6), and the parameters a verifier may use. */
const PUBLIC_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  RSA: ['kty', 'n', 'e'],
  EC: ['kty', 'crv', 'x', 'y'],
  OKP: ['kty', 'crv', 'x'],
}
const KEY_PARAMETERS = ['kid', 'alg', 'use']
/** Longest accepted member: a 16384-bit modulus is 2731 base64url characters. */
const MAX_MEMBER_LENGTH = 2800

/**
 * Client assertion keys: public asymmetric keys only. Private members are refused; of the rest only
 * the public members and kid/alg/use are stored, so nothing the client sent beyond its public key is
 * kept or shown again by the admin API (the device path does the same).
 *
 * Importing an RSA key reads its modulus through node:crypto (`asymmetricKeyDetails`), which on
 * Node 20.20 can stall once a large (≥ 32 MB) typed array exists in the process. The body limit
 * (bodyLimit, at most 10 MB) and the member length limit keep every RSA key far from that: keep them.
 */
function validateJwks(jwks: unknown): { keys: JWK[] } {
  const keys = (jwks as { keys?: unknown } | null)?.keys
  if (!Array.isArray(keys) || keys.length === 0 || keys.length > 10) invalid('"jwks" must hold 1 to 10 keys')
  return { keys: keys.map(publicKeyOnly) }
}

function publicKeyOnly(input: unknown): JWK {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    invalid('"jwks" must hold JWK objects')
  const jwk = input as Record<string, unknown>
  const members =
    typeof jwk.kty === 'string' && Object.hasOwn(PUBLIC_MEMBERS, jwk.kty)
      ? PUBLIC_MEMBERS[jwk.kty]
      : undefined
  if (members === undefined || PRIVATE_MEMBERS.some((member) => Object.hasOwn(jwk, member))) {
    invalid('"jwks" must hold public asymmetric keys only')
  }
  const kept: Record<string, string> = {}
  for (const member of [...members, ...KEY_PARAMETERS]) {
    const value = jwk[member]
    if (value === undefined && KEY_PARAMETERS.includes(member)) continue
    if (typeof value !== 'string' || value.length === 0 || value.length > MAX_MEMBER_LENGTH) {
      invalid(`"jwks" keys need "${member}" as a non-empty string`)
    }
    kept[member] = value
  }
  try {
    importJWKSync(kept as JWK)
  } catch (error) {
    invalid(`"jwks" holds an unusable key: ${(error as Error).message}`)
  }
  return kept as JWK
}
