import { getSigningAlgorithm, isUnsecuredAlgorithmName } from '../../jwa/signing-algorithms.js'
import { assertPositiveInteger, declareOptions, resolveCrit } from '../../lib/options.js'
import type { JWSVerifyOptions } from '../types.js'

/** compactVerify, flattenedVerify and their sync forms. */
export const JWS_VERIFY_OPTIONS = declareOptions<JWSVerifyOptions>({
  algorithms: true,
  crit: true,
  maxTokenLength: true,
  detachedPayload: true,
})

export interface ResolvedJWSOptions {
  readonly algorithms: ReadonlySet<string>
  readonly crit: readonly string[] | undefined
  readonly maxTokenLength: number
}

export const DEFAULT_MAX_JWS_LENGTH = 1024 * 1024

export function resolveAlgorithmAllowlist(value: unknown, option = 'algorithms'): ReadonlySet<string> {
  if (!Array.isArray(value) || value.length === 0) {
    throw new TypeError(`"${option}" must be a non-empty array of algorithm names`)
  }
  for (const name of value) {
    if (typeof name !== 'string') throw new TypeError(`"${option}" must contain only strings`)
    if (isUnsecuredAlgorithmName(name)) {
      throw new TypeError(`"${option}" must not contain "${name}": unsecured JWS are never verified`)
    }
    if (!getSigningAlgorithm(name))
      throw new TypeError(`"${option}" contains unsupported algorithm "${name}"`)
  }
  return new Set(value)
}

export function resolveJWSOptions(
  options: unknown,
  defaultMaxLength = DEFAULT_MAX_JWS_LENGTH,
): ResolvedJWSOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('"options" with an "algorithms" allowlist is required')
  }
  const { algorithms, crit, maxTokenLength = defaultMaxLength } = options as JWSVerifyOptions
  assertPositiveInteger(maxTokenLength, 'maxTokenLength')
  return { algorithms: resolveAlgorithmAllowlist(algorithms), crit: resolveCrit(crit), maxTokenLength }
}
