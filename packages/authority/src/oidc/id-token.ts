import { createHash } from 'node:crypto'
import type { AuthorityContext } from '../authority-context.js'
import type { Client } from '../clients/client-registry.js'
import { clientTarget } from '../encryption/client-target.js'
import type { SigningKey } from '../keys/key-ring.js'

/** OIDC Core §3.1.3.6: at_hash uses the hash of the signature algorithm (SHA-512 for EdDSA). */
function hashFor(alg: string): string {
  if (alg.endsWith('384')) return 'sha384'
  if (alg.endsWith('512') || alg === 'EdDSA' || alg === 'Ed25519' || alg === 'Ed448') return 'sha512'
  return 'sha256'
}

/** The left half of the access token's hash, base64url (OIDC Core §3.1.3.6). */
export function accessTokenHash(accessToken: string, alg: string): string {
  const digest = createHash(hashFor(alg)).update(accessToken, 'ascii').digest()
  return digest.subarray(0, digest.length / 2).toString('base64url')
}

export interface IdTokenFacts {
  readonly userId: string
  /** Epoch seconds of the sign-in. */
  readonly authTime: number
  readonly amr: readonly string[]
  /** Echoed from the authorization request; absent on refresh (OIDC Core §12.2). */
  readonly nonce?: string | null
  readonly accessToken?: string
}

/**
 * An ID token (OIDC Core §2): `aud` is the client alone, so `azp` is not needed (§2: only with
 * several audiences); `sub` is the user's opaque id, the same for every client (public subject type).
 */
export async function mintIdToken(
  ctx: AuthorityContext,
  signing: SigningKey,
  client: Client,
  facts: IdTokenFacts,
): Promise<string> {
  const iat = Math.floor(ctx.clock.now() / 1000)
  const claims: Record<string, unknown> = {
    iss: ctx.config.issuer,
    sub: facts.userId,
    aud: client.clientId,
    iat,
    exp: iat + ctx.config.idTokenLifetime,
    auth_time: facts.authTime,
    amr: [...facts.amr],
  }
  if (facts.nonce) claims.nonce = facts.nonce
  if (facts.accessToken !== undefined) claims.at_hash = accessTokenHash(facts.accessToken, signing.alg)
  const signed = await signing.signIdToken(claims)
  // OIDC Core §10.2: a client that registered an encryption key gets it signed, then encrypted.
  const target = clientTarget(client, 'id_token')
  return target ? ctx.encryption.recipients.encrypt(signed, target) : signed
}
