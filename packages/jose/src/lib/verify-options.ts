import { getSigningAlgorithm, isUnsecuredAlgorithmName } from '../jwa/signing-algorithms.js'

export interface JWSVerifyOptions {
  /** The algorithms this call accepts. Required: no default accepts everything. */
  algorithms: readonly string[]
  /** Extension header parameters the caller understands and enforces, so `crit` may list them. */
  crit?: readonly string[]
  /** Refuse serialized tokens longer than this many characters. */
  maxTokenLength?: number
  /** The payload of a detached-content JWS (RFC 7515 Appendix F), when the token carries none. */
  detachedPayload?: Uint8Array | string
}

export interface ResolvedJWSOptions {
  readonly algorithms: ReadonlySet<string>
  readonly crit: readonly string[] | undefined
  readonly maxTokenLength: number
}

export const DEFAULT_MAX_JWS_LENGTH = 1024 * 1024

export function assertPositiveInteger(value: unknown, option: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new TypeError(`"${option}" must be a positive integer`)
  }
}

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

export function resolveCrit(value: unknown): readonly string[] | undefined {
  if (value === undefined) return undefined
  if (!Array.isArray(value) || value.some((name) => typeof name !== 'string')) {
    throw new TypeError('"crit" must be an array of header parameter names')
  }
  return Object.freeze([...value])
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
