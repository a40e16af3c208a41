import { getContentEncryptionAlgorithm } from '../../jwa/content-encryption-algorithms.js'
import { getKeyManagementAlgorithm, isRSA1_5, RSA1_5_MESSAGE } from '../../jwa/key-management-algorithms.js'
import { assertPositiveInteger, declareOptions, resolveCrit } from '../../lib/options.js'
import type { JWEDecryptOptions, JWEEncryptOptions } from '../types.js'
import { DEFAULT_MAX_PBES2_COUNT, DEFAULT_PBES2_COUNT, MIN_PBES2_COUNT } from './key-management/pbes2.js'
import { DEFAULT_MAX_DECOMPRESSED_LENGTH } from './zip.js'

/** compactDecrypt and flattenedDecrypt; generalDecrypt adds `maxRecipients`. */
export const JWE_DECRYPT_OPTIONS = declareOptions<JWEDecryptOptions>({
  keyManagementAlgorithms: true,
  contentEncryptionAlgorithms: true,
  crit: true,
  maxTokenLength: true,
  maxDecompressedLength: true,
  maxPBES2Count: true,
})

/** Every JWE encrypt function. */
export const JWE_ENCRYPT_OPTIONS = declareOptions<JWEEncryptOptions>({ p2c: true, crit: true })

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
