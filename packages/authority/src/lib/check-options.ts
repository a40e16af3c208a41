/**
 * Refuses option names a function does not know. A security server must not silently ignore a
 * misspelt `clok` or `storge`: the caller meant something by it. Programmer mistakes are TypeErrors:
 * `"port" is not an option of createAuthority; did you mean "ports"?`.
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
  for (const name of Object.keys(options)) {
    if (known.includes(name)) continue
    const suggestion = closestName(name, known)
    throw new TypeError(
      `"${name}" is not an option of ${functionName}${suggestion === undefined ? '' : `; did you mean "${suggestion}"?`}`,
    )
  }
}

/** The known name within a small edit distance of `name` (a typo, not a different word), if any. */
export function closestName(name: string, known: readonly string[]): string | undefined {
  const lower = name.toLowerCase()
  let best: string | undefined
  let bestDistance = Number.POSITIVE_INFINITY
  for (const candidate of known) {
    const distance = editDistance(lower, candidate.toLowerCase())
    if (distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }
  const allowed = Math.max(2, Math.floor(name.length / 3))
  return bestDistance <= allowed ? best : undefined
}

/** Levenshtein distance; names are short, and the input is bounded to keep it cheap. */
function editDistance(a: string, b: string): number {
  if (a.length > 100 || b.length > 100) return Number.POSITIVE_INFINITY
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      current[j] = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + cost,
      )
    }
    previous = current
  }
  return previous[b.length] as number
}
