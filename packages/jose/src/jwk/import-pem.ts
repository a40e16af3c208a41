import { createPrivateKey, createPublicKey, type KeyObject, X509Certificate } from 'node:crypto'
import { JOSEError } from '../errors.js'
import { assertAlgorithmFitsKey } from '../lib/algorithm-fit.js'
import { Key, type KeyBinding } from '../lib/key.js'
import { assertKnownOptions, declareOptions } from '../lib/options.js'

/** Options of importPEM: the `kid` and `use` the imported key carries (a PEM has neither). */
export interface ImportPEMOptions {
  kid?: string
  use?: 'sig' | 'enc'
}

const IMPORT_PEM_OPTIONS = declareOptions<ImportPEMOptions>({ kid: true, use: true })

function parsePEM(pem: string): KeyObject {
  const label = /-----BEGIN ([A-Z0-9 ]+)-----/.exec(pem)?.[1]
  if (!label) throw new JOSEError('ERR_KEY_INVALID', 'not a PEM document')
  try {
    if (label === 'CERTIFICATE') return new X509Certificate(pem).publicKey
    if (label === 'PUBLIC KEY') return createPublicKey({ key: pem, format: 'pem', type: 'spki' })
    if (label === 'PRIVATE KEY') return createPrivateKey({ key: pem, format: 'pem', type: 'pkcs8' })
  } catch {
    throw new JOSEError('ERR_KEY_INVALID', `the ${label} PEM could not be parsed`)
  }
  if (label === 'ENCRYPTED PRIVATE KEY') {
    throw new JOSEError('ERR_KEY_INVALID', 'encrypted PKCS#8 is not accepted; decrypt it first')
  }
  throw new JOSEError(
    'ERR_KEY_INVALID',
    `unsupported PEM type "${label}"; use SPKI, PKCS#8 or an X.509 certificate`,
  )
}

/**
 * Imports a PEM-encoded SPKI public key, PKCS#8 private key or X.509 certificate (its public key),
 * bound to `alg`.
 *
 * @example
 * import { importPEM } from '@tessera/jose'
 * const key = await importPEM(spkiPem, 'RS256')
 */
export async function importPEM(pem: string, alg: string, options?: ImportPEMOptions): Promise<Key> {
  if (typeof pem !== 'string') throw new TypeError('"pem" must be a string')
  if (typeof alg !== 'string') throw new TypeError('"alg" must be a string')
  assertKnownOptions(options, IMPORT_PEM_OPTIONS, 'importPEM')
  const binding: KeyBinding = { alg }
  if (options?.kid !== undefined) binding.kid = options.kid
  if (options?.use !== undefined) binding.use = options.use
  // OpenSSL refuses a BEGIN line that does not start the text; PEM from env vars is often indented.
  const handle = parsePEM(pem.trim())
  const key = new Key(handle, binding)
  assertAlgorithmFitsKey(key, alg)
  return key
}
