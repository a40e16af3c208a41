import { getContentEncryptionAlgorithm } from '../jwa/content-encryption-algorithms.js'
import { getKeyManagementAlgorithm, isRSA1_5, RSA1_5_MESSAGE } from '../jwa/key-management-algorithms.js'
import { DEFAULT_MAX_PBES2_COUNT, DEFAULT_PBES2_COUNT, MIN_PBES2_COUNT } from './jwe-kw-pbes2.js'
import { DEFAULT_MAX_DECOMPRESSED_LENGTH } from './jwe-zip.js'
import { assertPositiveInteger, resolveCrit } from './verify-options.js'

export interface JWEDecryptOptions {
  /** The key management algorithms (`alg`) this call accepts. Required: no default accepts everything. */
  keyManagementAlgorithms: readonly string[]
  /** The content encryption algorithms (`enc`) this call accepts. Required. */
  contentEncryptionAlgorithms: readonly string[]
  /** Extension header parameters the caller understands and enforces, so `crit` may list them. */
  crit?: readonly string[]
  /** Refuse serialized tokens longer than this many characters. Default 1 MiB. */
  maxTokenLength?: number
  /** Refuse `zip: "DEF"` content that inflates past this many bytes (checked while inflating). Default 256 KiB. */
  maxDecompressedLength?: number
  /** Refuse PBES2 tokens whose `p2c` is above this. Default 100000; at least 1000. */
  maxPBES2Count?: number
}

export interface JWEEncryptOptions {
  /** PBES2 iteration count. Default 10000; at least 1000 and at most 10,000,000. */
  p2c?: number
  /** Extension parameters the sender declares it understands, so they may be listed in `crit`. */
  crit?: readonly string[]
}

export interface ResolvedJWEOptions {
  readonly keyManagementAlgorithms: ReadonlySet<string>
  readonly contentEncryptionAlgorithms: ReadonlySet<string>
  readonly crit: readonly string[] | undefined
  readonly maxTokenLength: number
  readonly maxDecompressedLength: number
  readonly maxPBES2Count: number
}

export const DEFAULT_MAX_JWE_LENGTH = 1024 * 1024
const MAX_ENCRYPT_PBES2_COUNT = 10_000_000

function allowlist(value: unknown, option: string, known: (name: string) => boolean): ReadonlySet<string> {
  if (!Array.isArray(value) || value.length === 0) {
    throw new TypeError(`"${option}" must be a non-empty array of algorithm names`)
  }
  for (const name of value) {
    if (typeof name !== 'string') throw new TypeError(`"${option}" must contain only strings`)
    if (isRSA1_5(name)) throw new TypeError(`"${option}" must not contain "RSA1_5": ${RSA1_5_MESSAGE}`)
    if (!known(name)) throw new TypeError(`"${option}" contains unsupported algorithm "${name}"`)
  }
  return new Set(value)
}

export function resolveJWEOptions(
  options: unknown,
  defaultMaxLength = DEFAULT_MAX_JWE_LENGTH,
): ResolvedJWEOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(
      '"options" with "keyManagementAlgorithms" and "contentEncryptionAlgorithms" allowlists is required',
    )
  }
  const {
    keyManagementAlgorithms,
    contentEncryptionAlgorithms,
    crit,
    maxTokenLength = defaultMaxLength,
    maxDecompressedLength = DEFAULT_MAX_DECOMPRESSED_LENGTH,
    maxPBES2Count = DEFAULT_MAX_PBES2_COUNT,
  } = options as JWEDecryptOptions
  assertPositiveInteger(maxTokenLength, 'maxTokenLength')
  assertPositiveInteger(maxDecompressedLength, 'maxDecompressedLength')
  assertPositiveInteger(maxPBES2Count, 'maxPBES2Count')
  if (maxPBES2Count < MIN_PBES2_COUNT)
    throw new TypeError(`"maxPBES2Count" must be at least ${MIN_PBES2_COUNT}`)
  return {
    keyManagementAlgorithms: allowlist(keyManagementAlgorithms, 'keyManagementAlgorithms', (name) =>
      Boolean(getKeyManagementAlgorithm(name)),
    ),
    contentEncryptionAlgorithms: allowlist(
      contentEncryptionAlgorithms,
      'contentEncryptionAlgorithms',
      (name) => Boolean(getContentEncryptionAlgorithm(name)),
    ),
    crit: resolveCrit(crit),
    maxTokenLength,
    maxDecompressedLength,
    maxPBES2Count,
  }
}

export function resolveP2c(options: JWEEncryptOptions | undefined): number {
  const p2c = options?.p2c ?? DEFAULT_PBES2_COUNT
  if (!Number.isSafeInteger(p2c) || p2c < MIN_PBES2_COUNT || p2c > MAX_ENCRYPT_PBES2_COUNT) {
    throw new TypeError(`"p2c" must be an integer from ${MIN_PBES2_COUNT} to ${MAX_ENCRYPT_PBES2_COUNT}`)
  }
  return p2c
}
