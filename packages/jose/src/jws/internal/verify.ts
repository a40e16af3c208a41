import { Buffer } from 'node:buffer'
import { JOSEError } from '../../errors.js'
import {
  getSigningAlgorithm,
  isUnsecuredAlgorithmName,
  type SigningAlgorithm,
} from '../../jwa/signing-algorithms.js'
import { assertSigningKey } from '../../lib/assert-key.js'
import { verifyAsync, verifyHmac, verifySync } from '../../lib/backend/signing.js'
import { decodeBase64url, isStrictBase64url } from '../../lib/base64url.js'
import {
  assertCrit,
  assertDisjoint,
  assertHeaderMembers,
  assertHeaderObject,
  type JOSEHeaderParameters,
  readB64,
} from '../../lib/header.js'
import { parseJSONObject } from '../../lib/json.js'
import { type Key, keyObjectOf, publicKeyObjectOf } from '../../lib/key.js'
import { candidateList, candidatesFailed, recordCandidateFailure } from '../../lib/key-candidates.js'
import { resolvedKey } from '../../lib/key-input.js'
import { hasValidSignatureShape } from './signature-shape.js'
import type { ResolvedJWSOptions } from './verify-options.js'

/** One signature of a JWS, as it arrives (flattened members; the compact form is split into these). */
export interface JWSSignatureParts {
  protected?: unknown
  header?: unknown
  signature: unknown
}

/** Everything checked and decoded before any key is resolved or any crypto runs. */
export interface PreparedSignature extends CheckedHeaders {
  /** Text when the signing input is ASCII (every b64 JWS), so HMAC can read it without a Buffer. */
  readonly signingInput: Buffer | string
  /** The signature as transmitted, already checked to be strict base64url. */
  readonly signature: string
  readonly payload: Uint8Array
}

function assertAllowed(joined: Record<string, unknown>, options: ResolvedJWSOptions): SigningAlgorithm {
  const name = joined.alg
  if (typeof name !== 'string') throw new JOSEError('ERR_JOSE_INVALID_HEADER', '"alg" must be a string')
  if (isUnsecuredAlgorithmName(name)) {
    throw new JOSEError(
      'ERR_JOSE_ALG_NONE',
      `unsecured JWS (alg "${name}") are never accepted by verify functions`,
    )
  }
  if (!options.algorithms.has(name)) {
    throw new JOSEError('ERR_JOSE_ALG_NOT_ALLOWED', `"alg" ${JSON.stringify(name)} is not allowed`)
  }
  return getSigningAlgorithm(name) as SigningAlgorithm
}

/** The outcome of header processing, which depends only on the header parts and the options. */
export interface CheckedHeaders {
  readonly alg: SigningAlgorithm
  readonly protectedHeader: JOSEHeaderParameters | undefined
  readonly unprotectedHeader: JOSEHeaderParameters | undefined
  readonly joinedHeader: JOSEHeaderParameters
  readonly b64: boolean
}

/** Parses and checks the headers of one signature: structure, allowlist, `crit` and `b64`. */
export function checkHeaders(
  protectedPart: unknown,
  header: unknown,
  options: ResolvedJWSOptions,
): CheckedHeaders {
  if (protectedPart !== undefined && typeof protectedPart !== 'string') {
    throw new JOSEError('ERR_JWS_INVALID', '"protected" must be a string')
  }
  if (protectedPart === undefined && header === undefined) {
    throw new JOSEError('ERR_JWS_INVALID', 'a JWS needs a protected or an unprotected header')
  }
  let protectedHeader: Record<string, unknown> | undefined
  if (protectedPart !== undefined) {
    protectedHeader = parseJSONObject(
      decodeBase64url(protectedPart, 'the protected header'),
      'the protected header',
      'ERR_JOSE_INVALID_HEADER',
    )
    Object.freeze(protectedHeader)
  }
  if (header !== undefined) assertHeaderObject(header, 'the unprotected header')
  assertDisjoint(protectedHeader, header)
  const joined =
    header === undefined
      ? (protectedHeader as Record<string, unknown>)
      : Object.freeze({ ...protectedHeader, ...header })
  assertHeaderMembers(joined)
  const alg = assertAllowed(joined, options)
  assertCrit(protectedHeader, joined, options.crit)
  const b64 = readB64(protectedHeader, joined)
  return {
    alg,
    protectedHeader: protectedHeader as JOSEHeaderParameters | undefined,
    unprotectedHeader: header as JOSEHeaderParameters | undefined,
    joinedHeader: joined as JOSEHeaderParameters,
    b64,
  }
}

/**
 * Checks one signature's headers (unless already `checked`), then builds the signing input (RFC 7515
 * §5.2). `payloadPart` is the payload member as transmitted; `detached` is the payload given out of band.
 */
export function prepareSignature(
  parts: JWSSignatureParts,
  payloadPart: unknown,
  detached: Uint8Array | string | undefined,
  options: ResolvedJWSOptions,
  checked?: CheckedHeaders,
): PreparedSignature {
  const { protected: protectedPart, header, signature } = parts
  if (typeof signature !== 'string') throw new JOSEError('ERR_JWS_INVALID', '"signature" must be a string')
  // RFC 7515 Appendix F, RFC 7520 §4.5: a JSON serialization with detached content omits "payload".
  if (payloadPart === undefined && detached !== undefined) payloadPart = ''
  if (typeof payloadPart !== 'string') throw new JOSEError('ERR_JWS_INVALID', '"payload" must be a string')
  const headers = checked ?? checkHeaders(protectedPart, header, options)
  const { b64 } = headers

  let payload: Uint8Array
  let payloadInput: string | Uint8Array
  if (detached !== undefined) {
    if (payloadPart !== '')
      throw new JOSEError('ERR_JWS_INVALID', 'a detached payload was given, but the JWS carries one')
    payload = typeof detached === 'string' ? Buffer.from(detached, 'utf8') : detached
    payloadInput = b64 ? Buffer.from(payload).toString('base64url') : payload
  } else if (b64) {
    payload = decodeBase64url(payloadPart, 'the payload')
    payloadInput = payloadPart
  } else {
    payload = Buffer.from(payloadPart, 'utf8')
    payloadInput = payload
  }
  if (!isStrictBase64url(signature)) {
    throw new JOSEError('ERR_JOSE_INVALID_ENCODING', 'the signature is not strict base64url')
  }
  const head = `${protectedPart ?? ''}.`
  const signingInput =
    typeof payloadInput === 'string'
      ? head + payloadInput
      : Buffer.concat([Buffer.from(head, 'latin1'), payloadInput])

  // Listed member by member: spreading `headers` into a literal with more members took V8's slow path
  // (about a microsecond, a sixth of a verify's non-crypto time).
  return {
    alg: headers.alg,
    protectedHeader: headers.protectedHeader,
    unprotectedHeader: headers.unprotectedHeader,
    joinedHeader: headers.joinedHeader,
    b64,
    signingInput,
    signature,
    payload,
  }
}

function checkedKey(prepared: PreparedSignature, keyInput: unknown): Key {
  const key = resolvedKey(keyInput)
  assertSigningKey(key, prepared.alg, 'verify')
  return key
}

function signatureFailed(): never {
  throw new JOSEError('ERR_JWS_SIGNATURE_INVALID', 'signature verification failed')
}

export function checkSignatureSync(prepared: PreparedSignature, keyInput: unknown): Key {
  if (Array.isArray(keyInput)) {
    const errors: unknown[] = []
    for (const candidate of candidateList(keyInput)) {
      try {
        return checkSignatureSync(prepared, candidate)
      } catch (error) {
        recordCandidateFailure(errors, error)
      }
    }
    throw candidatesFailed(errors)
  }
  const key = checkedKey(prepared, keyInput)
  const { alg, signingInput, signature } = prepared
  if (alg.family === 'hmac') {
    if (!verifyHmac(alg, keyObjectOf(key), signingInput, signature)) signatureFailed()
    return key
  }
  const bytes = Buffer.from(signature, 'base64url')
  if (!hasValidSignatureShape(alg, key, bytes)) signatureFailed()
  if (!verifySync(alg, publicKeyObjectOf(key), signingInput, bytes)) signatureFailed()
  return key
}

export async function checkSignature(prepared: PreparedSignature, keyInput: unknown): Promise<Key> {
  if (Array.isArray(keyInput)) {
    const errors: unknown[] = []
    for (const candidate of candidateList(keyInput)) {
      try {
        return await checkSignature(prepared, candidate)
      } catch (error) {
        recordCandidateFailure(errors, error)
      }
    }
    throw candidatesFailed(errors)
  }
  const key = checkedKey(prepared, keyInput)
  const { alg, signingInput, signature } = prepared
  if (alg.family === 'hmac') {
    if (!verifyHmac(alg, keyObjectOf(key), signingInput, signature)) signatureFailed()
    return key
  }
  const bytes = Buffer.from(signature, 'base64url')
  if (!hasValidSignatureShape(alg, key, bytes)) signatureFailed()
  if (!(await verifyAsync(alg, publicKeyObjectOf(key), signingInput, bytes))) signatureFailed()
  return key
}
