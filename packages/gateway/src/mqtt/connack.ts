import type { RefusalReason } from './device-identity.js'

/** MQTT 3.1.1 §3.2.2.3 CONNACK return codes the broker refuses with. */
export const CONNACK = {
  identifierRejected: 2,
  serverUnavailable: 3,
  badUsernameOrPassword: 4,
  notAuthorized: 5,
} as const

/** One place decides which return code each refusal gets. */
export function connackCodeFor(reason: RefusalReason): number {
  switch (reason) {
    case 'client_id_mismatch':
      return CONNACK.identifierRejected
    case 'no_credentials':
    case 'revoked':
      return CONNACK.notAuthorized
    case 'invalid_token':
    case 'no_expiry':
    case 'bad_acl':
    case 'username_mismatch':
      return CONNACK.badUsernameOrPassword
  }
}
