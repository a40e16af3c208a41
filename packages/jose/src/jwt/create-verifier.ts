import { checkSignature, checkSignatureSync } from '../jws/internal/verify.js'
import type { KeyResolver } from '../jws/types.js'
import { type KeyInput, toKey } from '../lib/key-input.js'
import { assertKnownOptions, combineOptions } from '../lib/options.js'
import { withTokenCache } from './internal/token-cache.js'
import {
  HeaderCache,
  prepareJWT,
  readClaims,
  resolveJWTOptions,
  VERIFY_JWT_OPTIONS,
} from './internal/verify.js'
import type { JWTVerifier, TokenCacheOptions, VerifyJWTOptions, VerifyJWTResult } from './types.js'

/**
 * Options of createJWTVerifier: verifyJWT's options plus the key or key set and the opt-in verified-
 * token cache.
 */
export interface CreateJWTVerifierOptions extends VerifyJWTOptions {
  /** The verification key, or a resolver that picks one from the header. */
  key: KeyInput | KeyResolver<string>
  /**
   * Opt-in cache of verified tokens (an LRU keyed by the whole token; claims re-checked on every
   * hit; entries dropped when a JWK set no longer holds their key). Cached payloads are frozen.
   */
  tokenCache?: boolean | TokenCacheOptions
}

const CREATE_JWT_VERIFIER_OPTIONS = combineOptions(VERIFY_JWT_OPTIONS, 'key', 'tokenCache')

/**
 * Resolves the key and every option once and returns a verifier for the hot path, with an async and a
 * synchronous form. Distinct protected headers are checked once and remembered.
 *
 * @example
 * import { createJWTVerifier } from '@tessera/jose'
 * const verify = createJWTVerifier({ key: publicKey, algorithms: ['ES256'], issuer: 'https://issuer.example', audience: 'api' })
 * const { payload } = verify.sync(token)
 */
export function createJWTVerifier(options: CreateJWTVerifierOptions): JWTVerifier {
  if (typeof options !== 'object' || options === null) throw new TypeError('"options" is required')
  assertKnownOptions(options, CREATE_JWT_VERIFIER_OPTIONS, 'createJWTVerifier')
  const resolved = resolveJWTOptions(options)
  const cache = new HeaderCache()
  const resolver = typeof options.key === 'function' ? options.key : undefined
  const fixedKey = resolver ? undefined : toKey(options.key)

  const verifier = async (token: string): Promise<VerifyJWTResult> => {
    const prepared = prepareJWT(token, resolved, cache)
    const keyInput = resolver ? await resolver(prepared.joinedHeader, token) : fixedKey
    const key = await checkSignature(prepared, keyInput)
    return { payload: readClaims(prepared, resolved), protectedHeader: prepared.joinedHeader, key }
  }
  verifier.sync = (token: string): VerifyJWTResult => {
    const prepared = prepareJWT(token, resolved, cache)
    const keyInput = resolver ? resolver(prepared.joinedHeader, token) : fixedKey
    if (keyInput instanceof Promise)
      throw new TypeError('a synchronous verify needs a resolver that returns a key')
    const key = checkSignatureSync(prepared, keyInput)
    return { payload: readClaims(prepared, resolved), protectedHeader: prepared.joinedHeader, key }
  }
  const { tokenCache } = options
  if (tokenCache === undefined || tokenCache === false) return verifier
  return withTokenCache(verifier, tokenCache, resolved.claims, resolver)
}
