import { checkSignature, checkSignatureSync, type KeyResolver } from '../lib/jws-verify.js'
import {
  HeaderCache,
  prepareJWT,
  readClaims,
  resolveJWTOptions,
  type VerifyJWTOptions,
} from '../lib/jwt-verify.js'
import { type KeyInput, toKey } from '../lib/key-input.js'
import { type TokenCacheOptions, withTokenCache } from '../lib/token-cache.js'
import type { VerifyJWTResult } from './verify.js'

export interface CreateJWTVerifierOptions extends VerifyJWTOptions {
  /** The verification key, or a resolver that picks one from the header. */
  key: KeyInput | KeyResolver<string>
  /**
   * Opt-in cache of verified tokens (an LRU keyed by the whole token; claims re-checked on every
   * hit; entries dropped when a JWK set no longer holds their key). Cached payloads are frozen.
   */
  tokenCache?: boolean | TokenCacheOptions
}

export interface JWTVerifier {
  /** Verifies on the thread pool for asymmetric algorithms. */
  (token: string): Promise<VerifyJWTResult>
  /** Verifies on the calling thread (node, with a local key or a synchronous resolver). */
  sync(token: string): VerifyJWTResult
}

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
