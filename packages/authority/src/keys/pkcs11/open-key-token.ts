import type { AuthorityConfig } from '../../config/load-config.js'
import { KeyToken } from './key-token.js'

/** The configured PKCS#11 token, logged in; undefined when keys are kept in-process (the default). */
export async function openKeyToken(config: AuthorityConfig): Promise<KeyToken | undefined> {
  if (config.pkcs11Module === undefined) return undefined
  return KeyToken.open({
    module: config.pkcs11Module,
    tokenLabel: config.pkcs11TokenLabel,
    slot: config.pkcs11Slot,
    pin: config.pkcs11Pin,
    pinFile: config.pkcs11PinFile,
  })
}
