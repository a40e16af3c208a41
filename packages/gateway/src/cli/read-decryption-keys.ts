import { createPrivateKey } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { importJWKSync, type JWK, type KeyInput } from '@tessera/jose'
import { GatewayConfigError } from '../errors.js'

/** A private key file is a few KiB at most; anything larger is not one. */
const MAX_KEY_FILE_BYTES = 64 * 1024

/**
 * Reads `--decryption-key` files: a private JWK (JSON, its `kid` kept so tokens can name it) or a
 * PKCS#8 / SEC1 / PKCS#1 PEM private key. A public key, a secret or an unreadable file stops start-up.
 */
export function readDecryptionKeys(files: readonly string[]): KeyInput[] {
  return files.map((file) => {
    let text: string
    try {
      const bytes = readFileSync(file)
      if (bytes.byteLength > MAX_KEY_FILE_BYTES) throw new Error('the file is too large for a key')
      text = bytes.toString('utf8').trim()
    } catch (error) {
      throw new GatewayConfigError('decryption-key', `cannot read ${file}: ${(error as Error).message}`)
    }
    try {
      const key = text.startsWith('{') ? importJWKSync(JSON.parse(text) as JWK) : createPrivateKey(text)
      if (key.type !== 'private') throw new Error('it is not a private key')
      return key
    } catch (error) {
      throw new GatewayConfigError('decryption-key', `${file}: ${(error as Error).message}`)
    }
  })
}
