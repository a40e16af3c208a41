import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs'

/**
 * The data directory holds the database, the master key and the admin token: it and everything the
 * authority creates in it are private to the user running it (0700 and 0600), whatever the umask.
 */
export function ensurePrivateDir(path: string): void {
  mkdirSync(path, { recursive: true, mode: 0o700 })
}

/** Creates `path` empty with mode 0600 unless it exists; opening it afterwards keeps that mode. */
export function ensurePrivateFile(path: string): void {
  if (existsSync(path)) return
  try {
    writeFileSync(path, '', { mode: 0o600, flag: 'wx' })
  } catch (error) {
    // Another process created it between the check and the write: theirs is as private as ours.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
  }
}

/** Writes a new secret file, 0600, refusing to replace one that exists. */
export function writePrivateFile(path: string, content: string): void {
  writeFileSync(path, content, { mode: 0o600, flag: 'wx' })
}

/** Whether the group or others may read `path`: a secret there is not private. */
export function readableByOthers(path: string): boolean {
  return (statSync(path).mode & 0o044) !== 0
}
