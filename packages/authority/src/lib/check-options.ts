import { assertKnownOptions, closestOption, optionNames } from '@tessera/jose/options'

/**
 * Refuses option names a function does not know. A security server must not silently ignore a
 * misspelt `clok` or `storge`: the caller meant something by it. Programmer mistakes are TypeErrors:
 * `"clok" is not an option of createAuthority; did you mean "clock"?`. The hints are @tessera/jose's,
 * so every Tessera package words and guesses them the same way.
 */
export function checkOptions(
  functionName: string,
  options: object | undefined,
  known: readonly string[],
): void {
  if (options === undefined) return
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(`the options of ${functionName} must be an object`)
  }
  assertKnownOptions(options, optionNames(known), functionName)
}

/** The known name `name` is probably a typo of (a unit or plural dropped, a few edits), if any. */
export function closestName(name: string, known: readonly string[]): string | undefined {
  return closestOption(name, optionNames(known))
}
