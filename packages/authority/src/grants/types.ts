import type { AuthorityContext } from '../authority-context.js'
import type { Client } from '../clients/client-registry.js'
import type { FormBody } from '../lib/form-body.js'

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
