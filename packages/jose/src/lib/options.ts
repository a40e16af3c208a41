/**
 * Option objects are checked by name: a security library must not silently ignore `timeout: 500`
 * where it reads `timeoutMs`, or `algorithm` where it reads `algorithms`. Each public function
 * declares the names it reads once, next to itself, and checks the caller's object when the
 * function (or factory) is called — never per token on a fast path.
 */

/** The option names one function reads, declared once; unknown names are refused with a hint. */
export interface OptionNames {
  /** The declared names, in declaration order (the order hints are chosen in). */
  readonly names: readonly string[]
  readonly set: ReadonlySet<string>
}

/**
 * Declares the option names of an options type. The object literal must list every member of `T`
 * and nothing else, so the compiler keeps the list and the interface in step.
 */
export function declareOptions<T extends object>(
  members: { readonly [K in keyof Required<T>]: true },
): OptionNames {
  return frozen(Object.keys(members))
}

/** The option names of a plain list, for callers that keep their names in an array. */
export function optionNames(list: readonly string[]): OptionNames {
  return frozen(list)
}

/** Joins declared lists and single names: a factory's options are a function's options plus its own. */
export function combineOptions(...parts: ReadonlyArray<OptionNames | string>): OptionNames {
  const names: string[] = []
  for (const part of parts) {
    for (const name of typeof part === 'string' ? [part] : part.names)
      if (!names.includes(name)) names.push(name)
  }
  return frozen(names)
}

/** Leaves names out of a declared list (options a wrapper sets itself). */
export function omitOptions(base: OptionNames, ...left: readonly string[]): OptionNames {
  return frozen(base.names.filter((name) => !left.includes(name)))
}

function frozen(list: readonly string[]): OptionNames {
  const names = Object.freeze([...list])
  return Object.freeze({ names, set: new Set(names) })
}

// Suffixes callers commonly drop or add: the unit (`timeout` for `timeoutMs`) or a plural.
const SUFFIXES = ['ms', 's', 'seconds', 'length', 'count']

const normalize = (name: string) => name.toLowerCase().replace(/[^a-z0-9]/g, '')

/** Optimal string alignment distance, bounded: anything above `limit` is reported as `limit + 1`. */
function distance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1
  let previous2: number[] = []
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    let rowMin = i
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let value = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + cost,
      )
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, (previous2[j - 2] as number) + 1)
      }
      current[j] = value
      rowMin = Math.min(rowMin, value)
    }
    if (rowMin > limit) return limit + 1
    previous2 = previous
    previous = current
  }
  return previous[b.length] as number
}

/**
 * The declared name a caller probably meant: the same name in another case or spelling
 * (`max_entries`), the name with or without a unit or plural suffix (`timeout`, `algorithm`), the
 * one name it is the start of (`maxTokenLen`), or a name a few edits away (`clockTolerence`).
 */
export function closestOption(name: string, known: OptionNames): string | undefined {
  const wanted = normalize(name)
  if (wanted === '') return undefined
  for (const candidate of known.names) if (normalize(candidate) === wanted) return candidate
  for (const candidate of known.names) {
    const other = normalize(candidate)
    for (const suffix of SUFFIXES) {
      if (other === wanted + suffix || wanted === other + suffix) return candidate
    }
  }
  // A cut-off name (`maxTokenLen`, `allowInsecure`), when only one declared name starts with it.
  if (wanted.length >= 5) {
    const longer = known.names.filter((candidate) => normalize(candidate).startsWith(wanted))
    if (longer.length === 1) return longer[0]
  }
  const limit = wanted.length <= 4 ? 1 : wanted.length < 8 ? 2 : 3
  let best: string | undefined
  let bestDistance = limit + 1
  for (const candidate of known.names) {
    const d = distance(wanted, normalize(candidate), limit)
    if (d < bestDistance) {
      best = candidate
      bestDistance = d
    }
  }
  return best
}

/**
 * Refuses an option name `known` does not declare, with a TypeError naming it and, when one is
 * close, the name it probably meant. `path` prefixes nested objects (`tokenCache.`, `signers[0].`).
 * Anything but a non-null object is left to the function's own checks.
 */
export function assertKnownOptions(options: unknown, known: OptionNames, owner: string, path = ''): void {
  if (typeof options !== 'object' || options === null) return
  // for…in with an own-member test reads the same names as Object.keys without allocating an array:
  // this runs once per call of verifyJWT and the other per-call functions.
  for (const name in options) {
    if (known.set.has(name) || !Object.hasOwn(options, name)) continue
    const hint = closestOption(name, known)
    const suggestion = hint === undefined ? '' : `; did you mean "${path}${hint}"?`
    throw new TypeError(`"${path}${name}" is not an option of ${owner}${suggestion}`)
  }
}

export function assertPositiveInteger(value: unknown, option: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new TypeError(`"${option}" must be a positive integer`)
  }
}

export function resolveCrit(value: unknown): readonly string[] | undefined {
  if (value === undefined) return undefined
  if (!Array.isArray(value) || value.some((name) => typeof name !== 'string')) {
    throw new TypeError('"crit" must be an array of header parameter names')
  }
  return Object.freeze([...value])
}
