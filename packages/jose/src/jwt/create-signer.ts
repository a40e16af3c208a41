import { Buffer } from 'node:buffer'
import { prepareSigning } from '../jws/internal/sign.js'
import { assertSigningKey } from '../lib/assert-key.js'
import { signAsync, signSyncBase64url } from '../lib/backend/signing.js'
import { type SigningThreads, threadPoolOf } from '../lib/backend/signing-threads.js'
import { keyObjectOf } from '../lib/key.js'
import { type KeyInput, toKey } from '../lib/key-input.js'
import { assertKnownOptions, combineOptions } from '../lib/options.js'
import { resolveSignOptions, SIGN_JWT_OPTIONS, type SignJWTOptions } from './sign.js'
import type { JWTPayload } from './types.js'

/** Options of createJWTSigner: signJWT's options plus the key, resolved once. */
export interface CreateJWTSignerOptions extends SignJWTOptions {
  key: KeyInput
  /**
   * Sign asymmetric algorithms on these threads (createSigningThreads) instead of Node's libuv pool,
   * in small batches while the threads are busy. The sync form and HMAC are unaffected.
   */
  threads?: SigningThreads
}

const CREATE_JWT_SIGNER_OPTIONS = combineOptions(SIGN_JWT_OPTIONS, 'key', 'threads')

/** A signer made by createJWTSigner: call it (async) or its `.sync` form with the per-token claims. */
export interface JWTSigner {
  /** Signs on the thread pool for asymmetric algorithms. */
  (claims: JWTPayload): Promise<string>
  /** Signs on the calling thread. */
  sync(claims: JWTPayload): string
}

/**
 * Resolves the key, header and defaults once and returns a signer for the hot path, with an async and
 * a synchronous form. The protected header is encoded once; each call encodes only the claims.
 *
 * @example
 * import { createJWTSigner } from '@tessera/jose'
 * const sign = createJWTSigner({ key: privateKey, alg: 'ES256', issuer: 'https://issuer.example', expiresIn: '15m' })
 * const token = await sign({ sub: 'user-1' })
 */
export function createJWTSigner(options: CreateJWTSignerOptions): JWTSigner {
  if (typeof options !== 'object' || options === null) throw new TypeError('"options" is required')
  assertKnownOptions(options, CREATE_JWT_SIGNER_OPTIONS, 'createJWTSigner')
  const { header, build } = resolveSignOptions(options)
  const key = toKey(options.key)
  // Validates the header, crit and key once, exactly as compactSign would on every call.
  const { alg, protectedPart } = prepareSigning(Buffer.alloc(0), key, header, undefined, undefined)
  assertSigningKey(key, alg, 'sign')
  const keyObject = keyObjectOf(key)
  const head = `${protectedPart}.`

  // The signing input stays a string: the backend reads it as ASCII without a Buffer per token.
  const input = (claims: JWTPayload): string =>
    head + Buffer.from(JSON.stringify(build(claims)), 'utf8').toString('base64url')

  const threads = options.threads === undefined ? undefined : threadPoolOf(options.threads, 'threads')
  const pool = alg.family === 'hmac' ? undefined : threads
  const signer = async (claims: JWTPayload): Promise<string> => {
    const signingInput = input(claims)
    if (pool !== undefined) return `${signingInput}.${await pool.sign(keyId, signingInput)}`
    const signature = await signAsync(alg, keyObject, signingInput)
    return `${signingInput}.${signature.toString('base64url')}`
  }
  // Registered against the signer itself: when the signer is dropped, the threads drop the key.
  const keyId = pool === undefined ? -1 : pool.register(alg, keyObject, signer)
  signer.sync = (claims: JWTPayload): string => {
    const signingInput = input(claims)
    return `${signingInput}.${signSyncBase64url(alg, keyObject, signingInput)}`
  }
  return signer
}
