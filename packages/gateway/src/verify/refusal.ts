import { REFUSALS, type RefusalReason } from '../errors.js'

/** An RFC 6750 §3 answer, ready for any adapter to send as it is. */
export interface Refusal {
  readonly reason: RefusalReason
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  /** `{ error, error_description[, scope] }`, or undefined when there is nothing to say (no token). */
  readonly body: Readonly<Record<string, string>> | undefined
}

// RFC 6750 §3: realm, error, error_description and scope values are quoted-strings of these only.
const QUOTABLE = /^[\x20\x21\x23-\x5B\x5D-\x7E]*$/

export function assertQuotable(value: string, option: string): void {
  if (!QUOTABLE.test(value))
    throw new TypeError(`"${option}" must not contain quotes, backslashes or control characters`)
}

/** Builds and remembers each distinct answer: the hot path of a refusal allocates nothing. */
export class RefusalBook {
  readonly #realm: string
  readonly #answers = new Map<string, Refusal>()

  constructor(realm: string) {
    assertQuotable(realm, 'realm')
    this.#realm = realm
  }

  get(reason: RefusalReason, requiredScopes?: readonly string[]): Refusal {
    const scope = reason === 'insufficient_scope' && requiredScopes ? requiredScopes.join(' ') : undefined
    const key = scope === undefined ? reason : `${reason} ${scope}`
    let answer = this.#answers.get(key)
    if (answer === undefined) {
      answer = this.#build(reason, scope)
      // Scope strings come from the configuration, not from requests, so this map stays small.
      this.#answers.set(key, answer)
    }
    return answer
  }

  #build(reason: RefusalReason, scope: string | undefined): Refusal {
    const { status, error, description } = REFUSALS[reason]
    const headers: Record<string, string> = { 'cache-control': 'no-store' }
    if (reason === 'keys_unavailable') headers['retry-after'] = '5'
    if (status === 401 || reason === 'insufficient_scope' || reason === 'malformed_header') {
      const parts = [`realm="${this.#realm}"`]
      if (error) parts.push(`error="${error}"`)
      if (description) parts.push(`error_description="${description}"`)
      if (scope !== undefined) {
        assertQuotable(scope, 'scopes')
        parts.push(`scope="${scope}"`)
      }
      headers['www-authenticate'] = `Bearer ${parts.join(', ')}`
    }
    const body =
      error === undefined
        ? undefined
        : Object.freeze({
            error,
            ...(description ? { error_description: description } : {}),
            ...(scope !== undefined ? { scope } : {}),
          })
    return Object.freeze({ reason, status, headers: Object.freeze(headers), body })
  }
}
