import type { KeyInput } from '../../lib/key-input.js'
import { assertKnownOptions, declareOptions } from '../../lib/options.js'
import { encryptJWE, toBytes } from '../internal/encrypt.js'
import { JWE_ENCRYPT_OPTIONS } from '../internal/options.js'
import { toFlattened } from '../internal/serialize.js'
import type { FlattenedJWE, JWEEncryptHeaders, JWEEncryptOptions, JWEHeaderParameters } from '../types.js'

/**
 * The headers and AAD of a flattened JWE: the shared protected and unprotected headers plus this one
 * recipient's header.
 */
export interface FlattenedEncryptHeaders extends JWEEncryptHeaders {
  /** The per-recipient unprotected header (`header`). */
  unprotectedHeader?: JWEHeaderParameters
}

const FLATTENED_HEADERS = declareOptions<FlattenedEncryptHeaders>({
  protectedHeader: true,
  sharedUnprotectedHeader: true,
  unprotectedHeader: true,
  additionalAuthenticatedData: true,
})

/**
 * Encrypts `plaintext` into a JWE Flattened JSON Serialization (RFC 7516 §7.2.2). Unprotected headers
 * are not integrity protected: put nothing there a recipient should rely on. Generated key management
 * parameters go into the protected header, or the per-recipient header when there is none.
 *
 * @example
 * import { flattenedEncrypt } from '@tessera/jose'
 * const jwe = await flattenedEncrypt('hello', secret, {
 *   protectedHeader: { enc: 'A256GCM' }, unprotectedHeader: { alg: 'A256KW', kid: 'k1' },
 * })
 */
export async function flattenedEncrypt(
  plaintext: Uint8Array | string,
  key: KeyInput,
  headers: FlattenedEncryptHeaders,
  options?: JWEEncryptOptions,
): Promise<FlattenedJWE> {
  if (typeof headers !== 'object' || headers === null) throw new TypeError('"headers" must be an object')
  assertKnownOptions(headers, FLATTENED_HEADERS, 'flattenedEncrypt', 'headers.')
  assertKnownOptions(options, JWE_ENCRYPT_OPTIONS, 'flattenedEncrypt')
  const { protectedHeader, sharedUnprotectedHeader, unprotectedHeader, additionalAuthenticatedData } = headers
  const aad = additionalAuthenticatedData
  const jwe = await encryptJWE(
    {
      plaintext: toBytes(plaintext, 'plaintext'),
      protectedHeader,
      sharedUnprotectedHeader,
      aad: aad === undefined ? undefined : toBytes(aad, 'additionalAuthenticatedData'),
      recipients: [{ key, unprotectedHeader }],
      parametersIn: 'protected',
    },
    options,
  )
  return toFlattened(jwe)
}
