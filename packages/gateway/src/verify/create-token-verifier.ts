import {
  createJWTVerifier,
  type JWKSEvent,
  type RemoteJWKSet,
  type RemoteJWKSetOptions,
  SIGNING_ALGORITHMS,
} from '@tessera/jose'
import type { RefusalReason } from '../errors.js'
import { assertKnownOptions, assertStringList } from '../lib/options.js'
import { extractBearer } from './bearer.js'
import { classifyError } from './classify-error.js'
import {
  type DecryptionOptions,
  isCompactJWE,
  openNestedToken,
  resolveDecryption,
  resolveTokenForm,
  type TokenForm,
} from './decryption.js'
import { assertFetchableUrl } from './discover.js'
import { type Identity, missingScopes, toIdentity } from './identity.js'
import { IssuerKeys } from './issuer-keys.js'
import { type Refusal, RefusalBook } from './refusal.js'
import { VerificationCache } from './result-cache.js'

/**
 * Options of createTokenVerifier: the issuer, the audience, the allowed algorithms and the key set's
 * limits.
 */
export interface TokenVerifierOptions {
  /** The issuer, compared exactly with `iss` and with the discovered metadata's `issuer`. */
  issuer: string
  /** Accepted audience(s); a token passes when its `aud` names one. */
  audience: string | readonly string[]
  /** Accepted JWS algorithms, e.g. `['ES256']`. Asymmetric only: the keys come from a JWK set. */
  algorithms: readonly string[]
  /** The JWK set URL; when absent it is discovered from the issuer's metadata on first use. */
  jwksUri?: string
  /** Expected `typ` header, e.g. `at+jwt` (RFC 9068). Not checked when absent. */
  typ?: string
  /** Leeway for `exp`, `nbf` and `iat`, in seconds or as `30s`. Default 0. */
  clockTolerance?: number | string
  /** Claims a token must carry besides `exp`. */
  requiredClaims?: readonly string[]
  /** The `realm` of WWW-Authenticate challenges. Default: the first audience. */
  realm?: string
  /** Allow `http:` issuer and JWKS URLs: loopback development and tests only. */
  allowInsecureHttp?: boolean
  /** Verified-token cache (until `exp`, never past it). Default `{ maxEntries: 10000 }`; `false` turns it off. */
  cache?: false | { maxEntries?: number }
  /** Passed to Tessera's remote JWK set (timeouts, cooldown, stale-if-error, size limit). */
  jwks?: Omit<RemoteJWKSetOptions, 'onEvent' | 'allowInsecureHttp'>
  /** Bound on each metadata request during discovery. Default 5000 ms. */
  discoveryTimeoutMs?: number
  /** Observes verifications, refusals and key-set events (metrics, logs). Must not throw. */
  onEvent?: (event: VerifierEvent) => void
  /**
   * Private keys that open encrypted access tokens (nested JWTs: a JWE with `cty: "JWT"` around the
   * signed token), which are decrypted, then verified exactly as signed ones.
   */
  decryption?: DecryptionOptions
  /**
   * Which tokens pass: `signed` (the default without `decryption`), `encrypted` (the default with
   * it: a plain JWS is refused with `not_encrypted`) or `either`, while clients move over.
   */
  tokenForm?: TokenForm
}

/**
 * Reported by the verifier after every verification, for metrics: verified (from the cache or not) or
 * refused, with the time it took.
 */
export type VerifierEvent =
  | { type: 'verified'; cached: boolean; durationMs: number; skewSeconds: number | undefined }
  | { type: 'refused'; reason: RefusalReason; durationMs: number }
  | { type: 'jwks'; event: JWKSEvent }

/** What verifyToken returns: the identity, or why the token was refused. It never throws for a bad token. */
export type TokenVerification =
  | { readonly ok: true; readonly identity: Identity }
  | { readonly ok: false; readonly reason: RefusalReason }

/** What verifyRequest returns: the identity, or the refusal with its RFC 6750 status and headers. */
export type RequestVerification =
  | { readonly ok: true; readonly identity: Identity }
  | { readonly ok: false; readonly refusal: Refusal }

/** Anything with headers: node's IncomingMessage, Fastify's and Express's requests, or a fetch Request. */
export interface RequestLike {
  readonly headers: { readonly authorization?: string | string[] | undefined } | Headers
}

/** Options of verifyRequest: the scopes a request needs. */
export interface VerifyRequestOptions {
  /** Scopes the request needs, all of them; a missing one is `403 insufficient_scope`. */
  scopes?: readonly string[]
}

/**
 * A verifier made by createTokenVerifier: verifies tokens or whole requests against the issuer's
 * discovered keys.
 */
export interface TokenVerifier {
  readonly issuer: string
  /** Verifies a token string; never throws for a bad token. */
  verify(token: string): Promise<TokenVerification>
  /** Verifies the request's bearer token and its scopes; the refusal is the exact RFC 6750 answer. */
  verifyRequest(request: RequestLike, options?: VerifyRequestOptions): Promise<RequestVerification>
  /** The RFC 6750 answer for a reason (adapters use it for their own refusals, e.g. CSRF). */
  refusal(reason: RefusalReason, scopes?: readonly string[]): Refusal
  /** Discovers the issuer and fetches its keys now; rejects when the issuer cannot be reached. */
  ready(): Promise<void>
  /**
   * Drops the cached verifications `test` picks (revoked tokens, say), so they are verified afresh;
   * returns how many went.
   */
  forget(test: (identity: Identity) => boolean): number
  /** The remote key set, once discovered. */
  readonly keys: RemoteJWKSet | undefined
}

const OPTIONS = [
  'issuer',
  'audience',
  'algorithms',
  'jwksUri',
  'typ',
  'clockTolerance',
  'requiredClaims',
  'realm',
  'allowInsecureHttp',
  'cache',
  'jwks',
  'discoveryTimeoutMs',
  'onEvent',
  'decryption',
  'tokenForm',
] as const satisfies readonly (keyof TokenVerifierOptions)[]

/** A refusal decided before the signature is checked (the token's form, its decryption). */
class FormRefusal extends Error {
  readonly reason: RefusalReason
  constructor(reason: RefusalReason) {
    super(reason)
    this.reason = reason
  }
}

const ASYMMETRIC = SIGNING_ALGORITHMS.filter((alg) => !alg.startsWith('HS'))

function resolveOptions(options: TokenVerifierOptions) {
  if (typeof options !== 'object' || options === null)
    throw new TypeError('"options" of createTokenVerifier must be an object')
  assertKnownOptions(options, OPTIONS, 'createTokenVerifier')
  for (const name of ['issuer', 'audience', 'algorithms'] as const) {
    if (options[name] === undefined) throw new TypeError(`"${name}" is required by createTokenVerifier`)
  }
  const allowInsecureHttp = options.allowInsecureHttp === true
  if (typeof options.issuer !== 'string') throw new TypeError('"issuer" must be a string')
  assertFetchableUrl(options.issuer, 'issuer', allowInsecureHttp)
  const audience = assertStringList(options.audience, 'audience')
  const algorithms = assertStringList(options.algorithms, 'algorithms')
  for (const alg of algorithms) {
    if (!(ASYMMETRIC as readonly string[]).includes(alg))
      throw new TypeError(`"algorithms" must list asymmetric JWS algorithms; "${alg}" is not one`)
  }
  if (options.jwksUri !== undefined) {
    if (typeof options.jwksUri !== 'string') throw new TypeError('"jwksUri" must be a string')
    assertFetchableUrl(options.jwksUri, 'jwksUri', allowInsecureHttp)
  }
  if (options.onEvent !== undefined && typeof options.onEvent !== 'function')
    throw new TypeError('"onEvent" must be a function')
  const { cache = {} } = options
  if (cache !== false && (typeof cache !== 'object' || cache === null))
    throw new TypeError('"cache" must be false or an object')
  const maxEntries = cache === false ? 0 : (cache.maxEntries ?? 10_000)
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 0)
    throw new TypeError('"cache.maxEntries" must be a whole number')
  const discoveryTimeoutMs = options.discoveryTimeoutMs ?? 5000
  if (!Number.isSafeInteger(discoveryTimeoutMs) || discoveryTimeoutMs <= 0)
    throw new TypeError('"discoveryTimeoutMs" must be a positive whole number of milliseconds')
  const decryption = resolveDecryption(options.decryption)
  const tokenForm = resolveTokenForm(options.tokenForm, decryption)
  return { allowInsecureHttp, audience, algorithms, maxEntries, discoveryTimeoutMs, decryption, tokenForm }
}

/**
 * Builds the one verifier a service needs at its edge: the issuer's keys (discovered, cached,
 * refetched on an unknown `kid`), the token checks, the scope check and the RFC 6750 answers.
 *
 * @example
 * import { createTokenVerifier } from '@tessera/gateway'
 * const verifier = createTokenVerifier({ issuer: 'https://id.example', audience: 'orders', algorithms: ['ES256'] })
 * const result = await verifier.verifyRequest(request, { scopes: ['orders:read'] })
 * if (!result.ok) return send(result.refusal.status, result.refusal.headers, result.refusal.body)
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const resolved = resolveOptions(options)
  const { issuer, onEvent } = options
  const emit = onEvent
    ? (event: VerifierEvent) => {
        try {
          onEvent(event)
        } catch {
          // An observer's bug must not change a verification's outcome.
        }
      }
    : undefined
  // Declared before the keys: their events drop cached verifications whose key left the set.
  let cache: VerificationCache | undefined
  const keys = new IssuerKeys({
    issuer,
    jwksUri: options.jwksUri,
    discovery: {
      allowInsecureHttp: resolved.allowInsecureHttp,
      timeoutMs: resolved.discoveryTimeoutMs,
      maxResponseBytes: 64 * 1024,
    },
    jwks: { ...options.jwks, allowInsecureHttp: resolved.allowInsecureHttp },
    onEvent: (event) => {
      if (event.type === 'keys-removed') cache?.forgetRemovedKeys()
      emit?.({ type: 'jwks', event })
    },
  })
  const jwtVerifier = createJWTVerifier({
    key: keys.resolver,
    issuer,
    audience: resolved.audience,
    algorithms: resolved.algorithms,
    ...(options.typ !== undefined ? { typ: options.typ } : {}),
    ...(options.clockTolerance !== undefined ? { clockTolerance: options.clockTolerance } : {}),
    ...(options.requiredClaims !== undefined ? { requiredClaims: options.requiredClaims } : {}),
  })
  cache =
    resolved.maxEntries > 0 ? new VerificationCache(resolved.maxEntries, keys.resolver.hasKey) : undefined
  const book = new RefusalBook(options.realm ?? resolved.audience[0] ?? 'api')
  const { decryption, tokenForm } = resolved
  // Chosen once: a gateway without decryption keys verifies exactly as before, with no extra step.
  const verifyFresh = decryption
    ? async (token: string) => {
        if (!isCompactJWE(token)) {
          if (tokenForm === 'encrypted') throw new FormRefusal('not_encrypted')
          return jwtVerifier(token)
        }
        const opened = await openNestedToken(token, decryption)
        if (opened.reason !== undefined) throw new FormRefusal(opened.reason)
        return jwtVerifier(opened.jws)
      }
    : jwtVerifier

  const verify = async (token: string): Promise<TokenVerification> => {
    const started = emit ? performance.now() : 0
    const now = Date.now()
    const hit = cache?.lookup(token, now)
    if (hit) {
      emit?.({
        type: 'verified',
        cached: true,
        durationMs: performance.now() - started,
        skewSeconds: undefined,
      })
      return { ok: true, identity: hit }
    }
    try {
      const { payload, key } = await verifyFresh(token)
      const identity = toIdentity(Object.freeze(payload))
      cache?.remember(token, identity, key)
      if (emit) {
        const skewSeconds = typeof payload.iat === 'number' ? payload.iat - now / 1000 : undefined
        emit({ type: 'verified', cached: false, durationMs: performance.now() - started, skewSeconds })
      }
      return { ok: true, identity }
    } catch (error) {
      const reason =
        error instanceof FormRefusal
          ? error.reason
          : tokenForm === 'signed' && isCompactJWE(token)
            ? 'encrypted_not_accepted'
            : classifyError(error)
      emit?.({ type: 'refused', reason, durationMs: performance.now() - started })
      return { ok: false, reason }
    }
  }

  const verifyRequest = async (
    request: RequestLike,
    requestOptions?: VerifyRequestOptions,
  ): Promise<RequestVerification> => {
    const { headers } = request
    const header = headers instanceof Headers ? headers.get('authorization') : headers.authorization
    const extracted = extractBearer(header)
    if (extracted.kind !== 'token') {
      const reason = extracted.kind === 'missing' ? 'missing_token' : 'malformed_header'
      emit?.({ type: 'refused', reason, durationMs: 0 })
      return { ok: false, refusal: book.get(reason) }
    }
    const result = await verify(extracted.token)
    if (!result.ok) return { ok: false, refusal: book.get(result.reason) }
    const scopes = requestOptions?.scopes
    if (scopes && scopes.length > 0 && missingScopes(result.identity, scopes).length > 0) {
      emit?.({ type: 'refused', reason: 'insufficient_scope', durationMs: 0 })
      return { ok: false, refusal: book.get('insufficient_scope', scopes) }
    }
    return result
  }

  return Object.freeze({
    issuer,
    verify,
    verifyRequest,
    refusal: (reason: RefusalReason, scopes?: readonly string[]) => book.get(reason, scopes),
    ready: () => keys.ready(),
    forget: (test: (identity: Identity) => boolean) => cache?.forget(test) ?? 0,
    get keys() {
      return keys.set
    },
  })
}
