import { createHash } from 'node:crypto'
import type { AuthorityContext } from '../authority-context.js'

/** The index key of an encrypted access token: the hash of exactly the bytes the client holds. */
export function encryptedTokenHash(token: string): string {
  return createHash('sha256').update(token, 'ascii').digest('hex')
}

/**
 * RFC 9068 access tokens for a resource registered with an encryption key are the signed token
 * encrypted to that key (a nested JWT), so only that API or its gateway reads the claims. The
 * authority cannot decrypt them again, so their claims are kept, by the token's hash, until they
 * expire: introspection, userinfo and revocation look them up there. Other audiences get the JWS.
 */
export async function protectAccessToken(
  ctx: AuthorityContext,
  jws: string,
  claims: Record<string, unknown> & { aud: string; exp: number },
  kid: string,
): Promise<string> {
  const resource = await ctx.encryption.resources.find(claims.aud)
  if (!resource) return jws
  const token = await ctx.encryption.recipients.encrypt(jws, resource.target)
  await ctx.storage.insertEncryptedToken({
    hash: encryptedTokenHash(token),
    kid,
    claims: JSON.stringify(claims),
    expiresAt: claims.exp * 1000,
  })
  return token
}
