import { clientCredentials } from './client-credentials.js'
import { JWT_BEARER_GRANT, jwtBearer } from './jwt-bearer.js'
import { refreshToken } from './refresh-token.js'
import type { GrantHandler } from './types.js'

export type { GrantHandler, GrantRequest, TokenResponse } from './types.js'

/** One handler per grant type, keyed by the `grant_type` value the client sends. */
export const GRANTS: Readonly<Record<string, GrantHandler>> = Object.freeze({
  client_credentials: clientCredentials,
  [JWT_BEARER_GRANT]: jwtBearer,
  refresh_token: refreshToken,
})
