import type { JWK } from '@tessera/jose'
import { isAbsoluteUri, validateJwks, validateJwksUri } from '../clients/client-metadata.js'
import { checkEncryptionChoice, defaultAlgorithmFor } from '../encryption/algorithms.js'
import { selectEncryptionKey } from '../encryption/select-key.js'
import { OAuthError } from '../lib/oauth-error.js'

/** A resource registration as the admin API accepts and shows it. */
export interface ResourceMetadata {
  /** The RFC 8707 resource URI: tokens whose audience it is are encrypted to its key. */
  resource: string
  name: string
  jwks?: { keys: JWK[] }
  jwks_uri?: string
  /** Key management algorithm (`alg`) of its tokens' JWE. */
  encryption_alg: string
  /** Content encryption algorithm (`enc`). */
  encryption_enc: string
}

const KNOWN = new Set(['resource', 'name', 'jwks', 'jwks_uri', 'encryption_alg', 'encryption_enc'])

function invalid(message: string): never {
  throw new OAuthError('invalid_client_metadata', message)
}

/**
 * Validates an admin's resource registration: an absolute resource URI, a name, exactly one of an
 * inline `jwks` (public keys only, one with `use: enc` that fits the algorithm) or an https
 * `jwks_uri`, and the algorithms, checked against the same allowlists as clients' (RSA1_5 refused).
 */
export function validateResourceMetadata(body: unknown, allowHttpJwksUri: boolean): ResourceMetadata {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    invalid('the body must be a JSON object')
  const input = body as Record<string, unknown>
  const unknown = Object.keys(input).filter((name) => !KNOWN.has(name))
  if (unknown.length > 0) invalid(`unknown resource metadata: ${unknown.join(', ')}`)
  const { resource, name } = input
  if (typeof resource !== 'string' || resource.length > 1000 || !isAbsoluteUri(resource))
    invalid('"resource" must be an absolute URI without a fragment, at most 1000 characters')
  if (typeof name !== 'string' || name.length === 0 || name.length > 200)
    invalid('"name" must be a non-empty string of at most 200 characters')
  if ((input.jwks === undefined) === (input.jwks_uri === undefined))
    invalid('a resource needs "jwks" or "jwks_uri" with its encryption key, not both')
  const jwks = input.jwks === undefined ? undefined : validateJwks(input.jwks)
  let jwksUri: string | undefined
  if (input.jwks_uri !== undefined) {
    if (typeof input.jwks_uri !== 'string' || input.jwks_uri.length > 1000)
      invalid('"jwks_uri" must be a string')
    jwksUri = validateJwksUri(input.jwks_uri, { allowHttpJwksUri })
  }
  const encKey = jwks?.keys.find((key) => key.use === 'enc')
  const alg = input.encryption_alg ?? defaultAlgorithmFor(encKey?.kty)
  if (alg === undefined) invalid('"encryption_alg" is required when the key is published at jwks_uri')
  const choice = checkEncryptionChoice(alg, input.encryption_enc, {
    alg: 'encryption_alg',
    enc: 'encryption_enc',
  })
  if (jwks !== undefined && !selectEncryptionKey(jwks.keys, choice.alg))
    invalid(`"jwks" has no key with "use": "enc" that fits ${choice.alg}`)
  const metadata: ResourceMetadata = {
    resource,
    name,
    encryption_alg: choice.alg,
    encryption_enc: choice.enc,
  }
  if (jwks !== undefined) metadata.jwks = jwks
  if (jwksUri !== undefined) metadata.jwks_uri = jwksUri
  return metadata
}
