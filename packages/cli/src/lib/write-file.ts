import { chmodSync, writeFileSync } from 'node:fs'
import { usageError } from './exit.js'

/**
 * Writes a file that holds a secret or a private key with mode 0600, refusing to replace an existing
 * file unless `force`: overwriting a key by accident is how a deployment loses it.
 */
export function writePrivateFile(path: string, text: string, force = false): void {
  try {
    writeFileSync(path, text, { mode: 0o600, flag: force ? 'w' : 'wx' })
    // A replaced file keeps its old mode under `w`; make it 0600 either way.
    chmodSync(path, 0o600)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'EEXIST') throw usageError(`${path} exists; pass --force to replace it`)
    throw usageError(`cannot write ${path} (${code ?? 'error'})`)
  }
}

export function writePublicFile(path: string, text: string, force = false): void {
  try {
    writeFileSync(path, text, { mode: 0o644, flag: force ? 'w' : 'wx' })
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'EEXIST') throw usageError(`${path} exists; pass --force to replace it`)
    throw usageError(`cannot write ${path} (${code ?? 'error'})`)
  }
}
