import { importJWKSync, type JWK } from '@tessera/jose'
import { ALLOWED_ALGORITHMS } from '../config/parsers.js'
import { checkEncryptionChoice } from '../encryption/algorithms.js'
import { selectEncryptionKey } from '../encryption/select-key.js'
import { OAuthError } from '../lib/oauth-error.js'
import { MAX_REDIRECT_URIS, redirectUriProblem } from '../oidc/redirect-uris.js'

/**
 * How clients authenticate. `none` is a public client (RFC 7591 §2): a SPA or native app that cannot
 * keep a secret, or a device fleet whose devices' signed assertions are the proof (PUBLIC_CLIENT_GRANTS).
 */
export const AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'] as const
export type AuthMethod = (typeof AUTH_METHODS)[number]
/** The methods that prove a client's identity, for endpoints that only confidential clients may use. */
export const CONFIDENTIAL_AUTH_METHODS = AUTH_METHODS.filter((method) => method !== 'none')

/**
 * The registered metadata this authority understands (RFC 7591 §2, plus `resources` and the
 * Tessera extension `tessera_first_party`).
 */
export interface ClientMetadata {
  client_name?: string
  token_endpoint_auth_method: AuthMethod
  grant_types: string[]
  /** RFC 7591 §2: ["code"] exactly when the client uses the authorization code grant. */
  response_types?: string[]
  /** Exact-match redirect targets of the authorization endpoint (RFC 7591 §2, RFC 8252 §7). */
  redirect_uris?: string[]
  /** Where RP-initiated logout may send the browser back to (OIDC RP-Initiated Logout §3.1). */
  post_logout_redirect_uris?: string[]
  /** First-party apps skip the consent page; only an administrator can set this. */
  tessera_first_party?: boolean
  /** Space-separated scopes the client may request. */
  scope?: string
  /** Absolute URIs the client may name as RFC 8707 `resource`; the first is the default audience. */
  resources?: string[]
  jwks?: { keys: JWK[] }
  /** Where the client publishes its assertion keys; fetched with @tessera/jose's remote JWKS client. */
  jwks_uri?: string
  token_endpoint_auth_signing_alg?: string
  /** OIDC Registration §2: ID tokens signed, then encrypted to the client's `use: enc` key. */
  id_token_encrypted_response_alg?: string
  id_token_encrypted_response_enc?: string
  /** OIDC Registration §2: userinfo answered as a signed, then encrypted JWT (`application/jwt`). */
  userinfo_encrypted_response_alg?: string
  userinfo_encrypted_response_enc?: string
}

/** The two encrypted responses a client may register, by their metadata names. */
const ENCRYPTED_RESPONSES = [
  { alg: 'id_token_encrypted_response_alg', enc: 'id_token_encrypted_response_enc' },
  { alg: 'userinfo_encrypted_response_alg', enc: 'userinfo_encrypted_response_enc' },
] as const

export interface MetadataPolicy {
  /** Accept http: jwks_uri values (loopback tests only). */
  allowHttpJwksUri: boolean
  /**
   * Accept `tessera_first_party`. Only a registration authenticated as the administrator may set
   * it; anything else asking for it is refused rather than silently downgraded.
   */
  allowFirstParty?: boolean
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
  const redirectUris = validateUriList(input, 'redirect_uris')
  const metadata: ClientMetadata = {
    token_endpoint_auth_method: method as AuthMethod,
    grant_types: validateGrantTypes(input.grant_types, redirectUris !== undefined),
  }
  validateCodeFlow(input, metadata, redirectUris, policy)
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
  const encrypts = validateEncryptedResponses(input, metadata)
  if (method === 'private_key_jwt' && !hasKeys) invalid('private_key_jwt needs "jwks" or "jwks_uri"')
  if (method !== 'private_key_jwt' && !encrypts && hasKeys)
    invalid('"jwks" and "jwks_uri" are only for private_key_jwt or encrypted responses')
  if (encrypts && !hasKeys) invalid('encrypted responses need "jwks" or "jwks_uri" with a "use": "enc" key')
  const signingAlg = optionalString(input, 'token_endpoint_auth_signing_alg')
  if (signingAlg !== undefined) {
    if (!ALLOWED_ALGORITHMS.includes(signingAlg))
      invalid('"token_endpoint_auth_signing_alg" is not supported')
    metadata.token_endpoint_auth_signing_alg = signingAlg
  }
  return metadata
}

/**
 * OIDC Registration §2 `*_encrypted_response_alg` / `_enc`: `_enc` only with its `_alg`, both from
 * the allowlists (RSA1_5 refused), `_enc` A256GCM when absent. An inline `jwks` must hold a fitting
 * `use: enc` key now; a `jwks_uri` is read when the first response is encrypted.
 */
function validateEncryptedResponses(input: Record<string, unknown>, metadata: ClientMetadata): boolean {
  let encrypts = false
  for (const names of ENCRYPTED_RESPONSES) {
    if (input[names.alg] === undefined) {
      if (input[names.enc] !== undefined) invalid(`"${names.enc}" needs "${names.alg}"`)
      continue
    }
    const { alg, enc } = checkEncryptionChoice(input[names.alg], input[names.enc], names)
    if (metadata.jwks !== undefined && !selectEncryptionKey(metadata.jwks.keys, alg))
      invalid(`"jwks" has no key with "use": "enc" that fits ${alg}`)
    metadata[names.alg] = alg
    metadata[names.enc] = enc
    encrypts = true
  }
  return encrypts
}

/** The device-login grant (RFC 7523 §2.1). */
const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer'
export const GRANT_TYPES = [
  'client_credentials',
  JWT_BEARER_GRANT,
  'authorization_code',
  'refresh_token',
] as const
/**
 * A public client proves nothing by itself: it may only present a user's authorization code (PKCE
 * binds it to the app instance that asked), a device's signed assertion, or a refresh token one of
 * those issued. client_credentials needs a client that can authenticate.
 */
export const PUBLIC_CLIENT_GRANTS: readonly string[] = [
  'authorization_code',
  JWT_BEARER_GRANT,
  'refresh_token',
]

/** RFC 7591 §2 lists of URIs: redirect_uris and post_logout_redirect_uris share the same rules. */
function validateUriList(input: Record<string, unknown>, name: string): string[] | undefined {
  const list = input[name]
  if (list === undefined) return undefined
  if (!Array.isArray(list) || list.length === 0 || list.length > MAX_REDIRECT_URIS)
    invalid(`"${name}" must be an array of 1 to ${MAX_REDIRECT_URIS} URIs`)
  for (const uri of list) {
    const problem = redirectUriProblem(uri)
    if (problem !== undefined)
      throw new OAuthError(
        name === 'redirect_uris' ? 'invalid_redirect_uri' : 'invalid_client_metadata',
        `"${name}": each URI ${problem}`,
      )
  }
  return [...new Set(list as string[])]
}

/**
 * The authorization code grant's metadata (RFC 7591 §2.1): redirect_uris exactly when the grant is
 * registered, response_types ["code"] (the only flow here), and the first-party mark. A public client
 * ("none") is limited to the code grant and its refresh tokens.
 */
function validateCodeFlow(
  input: Record<string, unknown>,
  metadata: ClientMetadata,
  redirectUris: string[] | undefined,
  policy: MetadataPolicy,
): void {
  const codeGrant = metadata.grant_types.includes('authorization_code')
  if (codeGrant !== (redirectUris !== undefined))
    invalid('"redirect_uris" is required with the authorization_code grant, and only with it')
  if (metadata.token_endpoint_auth_method === 'none') {
    if (metadata.grant_types.some((type) => !PUBLIC_CLIENT_GRANTS.includes(type)))
      invalid(
        'a public client ("none") may use only the authorization_code, jwt-bearer and refresh_token grants',
      )
  }
  const responseTypes = input.response_types ?? (codeGrant ? ['code'] : undefined)
  if (responseTypes !== undefined) {
    if (!Array.isArray(responseTypes) || responseTypes.length !== 1 || responseTypes[0] !== 'code')
      invalid('"response_types" must be ["code"]: the authorization code flow is the only one')
    if (!codeGrant) invalid('"response_types" ["code"] needs the authorization_code grant')
    metadata.response_types = ['code']
  }
  if (redirectUris !== undefined) metadata.redirect_uris = redirectUris
  const postLogout = validateUriList(input, 'post_logout_redirect_uris')
  if (postLogout !== undefined) {
    if (!codeGrant) invalid('"post_logout_redirect_uris" needs the authorization_code grant')
    metadata.post_logout_redirect_uris = postLogout
  }
  const firstParty = input.tessera_first_party
  if (firstParty !== undefined) {
    if (typeof firstParty !== 'boolean') invalid('"tessera_first_party" must be a boolean')
    if (firstParty && !policy.allowFirstParty)
      invalid('"tessera_first_party" can only be set by an administrator')
    if (firstParty && !codeGrant) invalid('"tessera_first_party" needs the authorization_code grant')
    if (firstParty) metadata.tessera_first_party = true
  }
}

/**
 * RFC 7591 §2 grant_types; the default is ["authorization_code"] for a client with redirect_uris
 * (§2) and ["client_credentials"] otherwise. A device-fleet client registers the jwt-bearer grant
 * and refresh_token comes with it (§2: the server may adjust); an app registers refresh_token with
 * authorization_code to receive refresh tokens for `offline_access`.
 */
function validateGrantTypes(input: unknown, hasRedirectUris: boolean): string[] {
  const grantTypes = input ?? (hasRedirectUris ? ['authorization_code'] : ['client_credentials'])
  if (
    !Array.isArray(grantTypes) ||
    grantTypes.length === 0 ||
    grantTypes.some((type) => !GRANT_TYPES.includes(type))
  ) {
    invalid(`"grant_types" must be a non-empty array of ${GRANT_TYPES.join(', ')}`)
  }
  const types = new Set<string>(grantTypes as string[])
  if (types.has(JWT_BEARER_GRANT)) types.add('refresh_token')
  else if (types.has('refresh_token') && !types.has('authorization_code'))
    invalid('"refresh_token" needs the jwt-bearer (device logins) or authorization_code grant')
  return GRANT_TYPES.filter((type) => types.has(type))
}

export function validateJwksUri(value: string, policy: MetadataPolicy): string {
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
export function validateJwks(jwks: unknown): { keys: JWK[] } {
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
