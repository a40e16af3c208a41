import { JOSEError } from '../../errors.js'
import type { KeyInput } from '../../lib/key-input.js'
import { assertKnownOptions } from '../../lib/options.js'
import { splitCompactJWS } from '../internal/split-compact.js'
import {
  checkSignature,
  checkSignatureSync,
  type PreparedSignature,
  prepareSignature,
} from '../internal/verify.js'
import { JWS_VERIFY_OPTIONS, type ResolvedJWSOptions, resolveJWSOptions } from '../internal/verify-options.js'
import type { CompactVerifyResult, JWSVerifyOptions, KeyResolver } from '../types.js'

export function prepareCompact(
  jws: unknown,
  options: ResolvedJWSOptions,
  detached: Uint8Array | string | undefined,
): PreparedSignature {
  const [protectedPart, payload, signature] = splitCompactJWS(jws, options.maxTokenLength)
  if (protectedPart === '') throw new JOSEError('ERR_JWS_INVALID', 'a compact JWS needs a protected header')
  return prepareSignature({ protected: protectedPart, signature }, payload, detached, options)
}

async function resolve(
  keyOrResolver: KeyInput | KeyResolver<string>,
  prepared: PreparedSignature,
  jws: string,
) {
  return typeof keyOrResolver === 'function' ? keyOrResolver(prepared.joinedHeader, jws) : keyOrResolver
}

/**
 * Verifies a JWS Compact Serialization under an explicit algorithm allowlist.
 *
 * @example
 * import { compactVerify } from '@tessera/jose'
 * const { payload, protectedHeader } = await compactVerify(jws, publicKey, { algorithms: ['ES256'] })
 */
export async function compactVerify(
  jws: string,
  keyOrResolver: KeyInput | KeyResolver<string>,
  options: JWSVerifyOptions,
): Promise<CompactVerifyResult> {
  assertKnownOptions(options, JWS_VERIFY_OPTIONS, 'compactVerify')
  const prepared = prepareCompact(jws, resolveJWSOptions(options), options.detachedPayload)
  const key = await checkSignature(prepared, await resolve(keyOrResolver, prepared, jws))
  return { payload: prepared.payload, protectedHeader: prepared.joinedHeader, key }
}

/** The synchronous form of compactVerify; the resolver, if any, must return a key, not a promise. */
export function compactVerifySync(
  jws: string,
  keyOrResolver: KeyInput | KeyResolver<string>,
  options: JWSVerifyOptions,
): CompactVerifyResult {
  assertKnownOptions(options, JWS_VERIFY_OPTIONS, 'compactVerifySync')
  const prepared = prepareCompact(jws, resolveJWSOptions(options), options.detachedPayload)
  const keyInput =
    typeof keyOrResolver === 'function' ? keyOrResolver(prepared.joinedHeader, jws) : keyOrResolver
  if (keyInput instanceof Promise)
    throw new TypeError('a synchronous verify needs a resolver that returns a key')
  const key = checkSignatureSync(prepared, keyInput)
  return { payload: prepared.payload, protectedHeader: prepared.joinedHeader, key }
}
