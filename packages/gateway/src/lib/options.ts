import { assertKnownOptions as assertDeclared, optionNames } from '@tessera/jose/options'

/**
 * Unknown option names are programmer mistakes: refuse them with a TypeError that points at the
 * nearest known name, so a typo like `audiance` cannot silently turn a check off. The hints are
 * @tessera/jose's, shared by every Tessera package.
 */
export function assertKnownOptions(options: object, known: readonly string[], functionName: string): void {
  assertDeclared(options, optionNames(known), functionName)
}

export function assertStringList(value: unknown, option: string): readonly string[] {
  const list = typeof value === 'string' ? [value] : value
  if (
    !Array.isArray(list) ||
    list.length === 0 ||
    list.some((item) => typeof item !== 'string' || item === '')
  )
    throw new TypeError(`"${option}" must be a non-empty string or a non-empty array of strings`)
  return Object.freeze([...list])
}
