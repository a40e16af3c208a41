import type { Key } from '@tessera/jose'
import { usageError } from '../../lib/exit.js'
import { loadKey, readKeyMaterial } from '../../lib/key-file.js'

/**
 * The key for a JWE operation: a password for PBES2 (the file's text), the content key itself for
 * "dir" (bound to the enc), otherwise the key for the key-management algorithm.
 */
export async function loadJWEKey(
  path: string,
  algs: readonly string[],
  encs: readonly string[],
  purpose: string,
): Promise<Key | string> {
  const alg = algs.length === 1 ? algs[0] : undefined
  const material = readKeyMaterial(path)
  if (alg?.startsWith('PBES2')) {
    if (material.kind !== 'secret')
      throw usageError(`key file ${path}: PBES2 needs a file holding the password`)
    return Buffer.from(material.bytes).toString('utf8')
  }
  if (alg === 'dir') {
    if (encs.length !== 1) throw usageError('"dir" needs exactly one --enc: the key is the content key')
    return loadKey(path, encs[0], purpose, material)
  }
  if (alg === undefined && !(material.kind === 'jwk' && material.jwk.alg !== undefined)) {
    throw usageError(`key file ${path} is not bound to an algorithm: give exactly one --alg`)
  }
  return loadKey(path, alg, purpose, material)
}
