import type { KeyRecord } from '../../storage/types.js'
import type { SigningKey } from '../key-ring.js'
import type { KeyToken } from './key-token.js'
import { tokenJWTSigner } from './token-signer.js'

/** The signing key for a record whose private key lives in the PKCS#11 token. */
export function tokenSigningKey(record: KeyRecord, token: KeyToken | undefined): SigningKey {
  if (!token) {
    throw new Error(
      `signing key ${record.kid} lives in a PKCS#11 token, but no token is configured (TESSERA_PKCS11_MODULE)`,
    )
  }
  const signer = token.signer(record.sealedPrivateKey, record.alg)
  // One token object signs every kind of JWT the authority issues; only the `typ` differs.
  const signerOf = (typ: string) => tokenJWTSigner(signer, { alg: record.alg, kid: record.kid, typ })
  return {
    kid: record.kid,
    alg: record.alg,
    sign: signerOf('at+jwt'),
    signRevocations: signerOf('revocations+jwt'),
    signIdToken: signerOf('JWT'),
  }
}
