import type { Client } from '../clients/client-registry.js'
import type { AuthorityContext } from '../lib/context.js'
import type { FormBody } from '../lib/form-body.js'
import { clientCredentials } from './client-credentials.js'
import { JWT_BEARER_GRANT, jwtBearer } from './jwt-bearer.js'
import { refreshToken } from './refresh-token.js'

export interface TokenResponse {
  access_token: string
  token_type: 'Bearer'
  expires_in: number
  scope?: string
  refresh_token?: string
}

/** What a grant may know about the request beyond its form: where it came from, for rate limits. */
export interface GrantRequest {
  readonly address: string
}

export type GrantHandler = (
  ctx: AuthorityContext,
  client: Client,
  form: FormBody,
  request: GrantRequest,
) => Promise<TokenResponse>

/** One handler per grant type, keyed by the `grant_type` value the client sends. */
export const GRANTS: Readonly<Record<string, GrantHandler>> = Object.freeze({
  client_credentials: clientCredentials,
  [JWT_BEARER_GRANT]: jwtBearer,
  refresh_token: refreshToken,
})
