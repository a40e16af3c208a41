import { JOSEError } from '../../errors.js'
import { getSigningAlgorithm, type SigningAlgorithm } from '../../jwa/signing-algorithms.js'
import { importJWKSync } from '../../jwk/import-jwk.js'
import type { JWK } from '../../jwk/types.js'
import { assertKeyUsage, assertSigningKeyShape } from '../../lib/assert-key.js'
import type { JOSEHeaderParameters } from '../../lib/header.js'
import { isPlainObject } from '../../lib/json.js'
import type { Key } from '../../lib/key.js'

/** One member of a set's `keys` array; imported on first use and remembered, failure included. */
interface Entry {
  readonly jwk: unknown
  /** The JWK's JSON text: identical keys in two versions of a remote set share one Key. */
  readonly text: string
  readonly kid: string | undefined
  readonly kty: unknown
  readonly use: unknown
  outcome?: { key: Key } | { error: unknown }
}

export interface KeySetIndexOptions {
  /** Without `kid`, how many fitting keys are offered to the verifier, in order. */
  readonly maxCandidates: number
  /** A secret fetched from a URL is no secret: remote sets never offer `oct` keys. */
  readonly allowSymmetric: boolean
}

/** Refuses what is not a JWK set (RFC 7517 §5); the members of `keys` are judged one by one later. */
export function assertJWKSShape(jwks: unknown): asserts jwks is { keys: unknown[] } {
  if (!isPlainObject(jwks)) throw new JOSEError('ERR_JWKS_INVALID', 'a JWK set must be a JSON object')
  if (!Array.isArray(jwks.keys)) throw new JOSEError('ERR_JWKS_INVALID', 'a JWK set must have a "keys" array')
}

function jsonText(value: unknown): string | undefined {
  try {
    return JSON.stringify(value)
  } catch {
    return undefined
  }
}

function fits(key: Key, alg: SigningAlgorithm): boolean {
  try {
    assertSigningKeyShape(key, alg)
    assertKeyUsage(key, alg.name, 'sig', 'verify')
    return true
  } catch {
    return false
  }
}

/**
 * The lookup behind local and remote key sets. Keys whose `kid`, type, `use`, `alg`, curve or
 * `key_ops` rule them out are skipped and never tried; a key that does not import is skipped too, so
 * one bad member cannot make the good ones unusable.
 */
export class KeySetIndex {
  readonly jwks: Readonly<{ keys: readonly unknown[] }>
  readonly #entries: readonly Entry[]
  readonly #options: KeySetIndexOptions
  readonly #keys = new Set<Key>()

  constructor(jwks: unknown, options: KeySetIndexOptions, previous?: KeySetIndex) {
    assertJWKSShape(jwks)
    this.jwks = Object.freeze({ keys: Object.freeze([...jwks.keys]) })
    this.#options = options
    const known = previous === undefined ? undefined : previous.#byText()
    this.#entries = this.jwks.keys.map((original) => {
      const text = jsonText(original)
      // A private copy: the caller's object may change after the set is made, the set may not.
      const jwk: unknown = text === undefined ? undefined : JSON.parse(text)
      const member = isPlainObject(jwk) ? jwk : {}
      const entry: Entry = {
        jwk,
        text: text ?? '',
        kid: typeof member.kid === 'string' ? member.kid : undefined,
        kty: member.kty,
        use: member.use,
      }
      const outcome = text === undefined ? undefined : known?.get(text)
      if (outcome) {
        entry.outcome = outcome
        if ('key' in outcome) this.#keys.add(outcome.key)
      }
      return entry
    })
  }

  #byText(): Map<string, NonNullable<Entry['outcome']>> {
    const map = new Map<string, NonNullable<Entry['outcome']>>()
    for (const entry of this.#entries) if (entry.outcome) map.set(entry.text, entry.outcome)
    return map
  }

  #import(entry: Entry): Key | { error: unknown } {
    if (!entry.outcome) {
      try {
        if (!isPlainObject(entry.jwk)) throw new JOSEError('ERR_JWK_INVALID', 'a JWK must be an object')
        const key = importJWKSync(entry.jwk as JWK)
        entry.outcome = { key }
        this.#keys.add(key)
      } catch (error) {
        entry.outcome = { error }
      }
    }
    return 'key' in entry.outcome ? entry.outcome.key : entry.outcome
  }

  /** True while this version of the set holds `key` (imported from one of its members). */
  has(key: Key): boolean {
    return this.#keys.has(key)
  }

  /** Every key imported so far: what a newer version of the set may have dropped. */
  importedKeys(): readonly Key[] {
    return [...this.#keys]
  }

  /** Whether some member carries this `kid`, usable or not (an unknown kid may mean a rotation). */
  hasKid(kid: string): boolean {
    return this.#entries.some((entry) => entry.kid === kid)
  }

  /**
   * The key for a header: one Key, or several candidates in order when the token has no `kid`.
   * With a `kid`, two fitting keys are an ambiguity reported to the caller, never a silent pick.
   */
  select(header: JOSEHeaderParameters): Key | Key[] {
    const alg = typeof header.alg === 'string' ? getSigningAlgorithm(header.alg) : undefined
    if (!alg) throw new JOSEError('ERR_JWKS_NO_MATCHING_KEY', 'the JWK set has no key for this algorithm')
    const { kid } = header
    const found: Key[] = []
    let importError: unknown
    for (const entry of this.#entries) {
      if (kid !== undefined && entry.kid !== kid) continue
      if (entry.kty !== alg.kty || (alg.kty === 'oct' && !this.#options.allowSymmetric)) continue
      if (entry.use !== undefined && entry.use !== 'sig') continue
      const imported = this.#import(entry)
      if ('error' in imported) {
        importError ??= imported.error
        continue
      }
      if (fits(imported, alg)) found.push(imported)
    }
    const [first] = found
    if (first === undefined) {
      const which = kid === undefined ? `for ${alg.name}` : `with kid ${JSON.stringify(kid)} for ${alg.name}`
      // The import failure, when one was skipped, is what an operator needs to see.
      const message = `the JWK set has no usable key ${which}${importError ? ' (a matching member is invalid)' : ''}`
      throw new JOSEError(
        'ERR_JWKS_NO_MATCHING_KEY',
        message,
        importError ? { cause: importError } : undefined,
      )
    }
    if (found.length === 1) return first
    if (kid !== undefined) {
      throw new JOSEError(
        'ERR_JWKS_MULTIPLE_MATCHING_KEYS',
        `${found.length} keys in the JWK set have kid ${JSON.stringify(kid)} and fit ${alg.name}`,
      )
    }
    return found.slice(0, this.#options.maxCandidates)
  }
}
