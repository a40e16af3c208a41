import type { Client } from '../clients/client-registry.js'
import type { EncryptionTarget } from './recipient-keys.js'

/** The client's registered encryption for its ID tokens or its userinfo responses, if any. */
export function clientTarget(
  client: Client,
  response: 'id_token' | 'userinfo',
): EncryptionTarget | undefined {
  const { metadata } = client
  const alg = metadata[`${response}_encrypted_response_alg`]
  const enc = metadata[`${response}_encrypted_response_enc`]
  if (alg === undefined || enc === undefined) return undefined
  return { alg, enc, jwks: metadata.jwks, jwksUri: metadata.jwks_uri, label: `client ${client.clientId}` }
}
