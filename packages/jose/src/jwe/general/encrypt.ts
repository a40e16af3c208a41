import { assertKnownOptions, declareOptions } from '../../lib/options.js'
import { encryptJWE, toBytes } from '../internal/encrypt.js'
import { JWE_ENCRYPT_OPTIONS } from '../internal/options.js'
import { toGeneral } from '../internal/serialize.js'
import type { GeneralEncryptRecipient, GeneralJWE, JWEEncryptHeaders, JWEEncryptOptions } from '../types.js'

const HEADERS = declareOptions<JWEEncryptHeaders>({
  protectedHeader: true,
  sharedUnprotectedHeader: true,
  additionalAuthenticatedData: true,
})
const RECIPIENT = declareOptions<GeneralEncryptRecipient>({ key: true, unprotectedHeader: true })

/**
 * Encrypts `plaintext` once for several recipients into a JWE General JSON Serialization (RFC 7516
 * §7.2.1). Each recipient has its own key and per-recipient header; header names must be disjoint
 * across the protected, shared and per-recipient headers. Generated key management parameters go into
 * each recipient's header.
 *
 * @example
 * import { generalEncrypt } from '@tessera/jose'
 * const jwe = await generalEncrypt('hello', [
 *   { key: rsaPublicKey, unprotectedHeader: { alg: 'RSA-OAEP-256', kid: 'rsa' } },
 *   { key: ecPublicKey, unprotectedHeader: { alg: 'ECDH-ES+A256KW', kid: 'ec' } },
 * ], { protectedHeader: { enc: 'A256GCM' } })
 */
export async function generalEncrypt(
  plaintext: Uint8Array | string,
  recipients: readonly GeneralEncryptRecipient[],
  headers: JWEEncryptHeaders,
  options?: JWEEncryptOptions,
): Promise<GeneralJWE> {
  if (typeof headers !== 'object' || headers === null) throw new TypeError('"headers" must be an object')
  if (!Array.isArray(recipients)) throw new TypeError('"recipients" must be a non-empty array')
  assertKnownOptions(headers, HEADERS, 'generalEncrypt', 'headers.')
  assertKnownOptions(options, JWE_ENCRYPT_OPTIONS, 'generalEncrypt')
  const { protectedHeader, sharedUnprotectedHeader, additionalAuthenticatedData: aad } = headers
  const jwe = await encryptJWE(
    {
      plaintext: toBytes(plaintext, 'plaintext'),
      protectedHeader,
      sharedUnprotectedHeader,
      aad: aad === undefined ? undefined : toBytes(aad, 'additionalAuthenticatedData'),
      recipients: recipients.map((recipient, index) => {
        if (typeof recipient !== 'object' || recipient === null)
          throw new TypeError('each recipient must be an object')
        assertKnownOptions(recipient, RECIPIENT, 'generalEncrypt', `recipients[${index}].`)
        return { key: recipient.key, unprotectedHeader: recipient.unprotectedHeader }
      }),
      parametersIn: 'recipient',
    },
    options,
  )
  return toGeneral(jwe)
}
