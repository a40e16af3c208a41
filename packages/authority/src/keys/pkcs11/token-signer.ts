import type { JWTPayload, JWTSigner } from '@tessera/jose'

/**
 * A JWTSigner (the same contract as @tessera/jose's createJWTSigner) whose signature comes from a
 * PKCS#11 token. The protected header is encoded once; the claims are serialised as given. There is
 * no synchronous form: a token signs asynchronously, so `sync` refuses.
 */
export function tokenJWTSigner(
  sign: (input: string) => Promise<Buffer>,
  header: { alg: string; kid: string; typ: string },
): JWTSigner {
  const head = `${Buffer.from(JSON.stringify({ alg: header.alg, typ: header.typ, kid: header.kid })).toString('base64url')}.`
  const signer = async (claims: JWTPayload): Promise<string> => {
    const input = head + Buffer.from(JSON.stringify(claims), 'utf8').toString('base64url')
    return `${input}.${(await sign(input)).toString('base64url')}`
  }
  signer.sync = (_claims: JWTPayload): string => {
    throw new TypeError('a PKCS#11 key signs asynchronously; "sync" is not available')
  }
  return signer
}
