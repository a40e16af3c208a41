import type { Client } from '../clients/client-registry.js'
import type { AuthorityContext } from '../lib/context.js'
import type { FormBody } from '../lib/form-body.js'
import { clientCredentials } from './client-credentials.js'

export interface TokenResponse {
  access_token: string
  token_type: 'Bearer'
  expires_in: number
  scope?: string
}

export type GrantHandler = (ctx: AuthorityContext, client: Client, form: FormBody) => Promise<TokenResponse>

/** One handler per grant type, keyed by the `grant_type` value the client sends. */
export const GRANTS: Readonly<Record<string, GrantHandler>> = Object.freeze({
  client_credentials: clientCredentials,
})
