/**
 * Unknown option names are programmer mistakes: refuse them with a TypeError that points at the
 * nearest known name, so a typo like `audiance` cannot silently turn a check off.
 */
export function assertKnownOptions(options: object, known: readonly string[], functionName: string): void {
  for (const name of Object.keys(options)) {
    if (known.includes(name)) continue
    const suggestion = nearest(name, known)
    throw new TypeError(
      `"${name}" is not an option of ${functionName}${suggestion ? `; did you mean "${suggestion}"?` : ''}`,
    )
  }
}

function nearest(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined
  let bestDistance = Number.POSITIVE_INFINITY
  for (const candidate of known) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase())
    if (distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }
  // Farther than about a third of the word is no longer a typo.
  return best !== undefined && bestDistance <= Math.max(2, Math.ceil(name.length / 3)) ? best : undefined
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost)
    }
    previous = current
  }
  return previous[b.length] ?? 0
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
