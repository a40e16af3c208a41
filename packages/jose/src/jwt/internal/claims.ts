import { type ErrorCode, JWTClaimValidationError } from '../../errors.js'
import { declareOptions } from '../../lib/options.js'
import { assertDate, epochSeconds, toSeconds } from '../../lib/time.js'
import type { JWTClaimsOptions, JWTPayload } from '../types.js'

/** decodeUnsecuredJWT; every JWT verify and decrypt function adds its own. */
export const JWT_CLAIMS_OPTIONS = declareOptions<JWTClaimsOptions>({
  issuer: true,
  audience: true,
  subject: true,
  typ: true,
  clockTolerance: true,
  maxTokenAge: true,
  requiredClaims: true,
  allowMissingExpiration: true,
  currentDate: true,
})

export interface ResolvedClaimsOptions {
  readonly issuers: ReadonlySet<string> | undefined
  readonly audiences: ReadonlySet<string> | undefined
  readonly subject: string | undefined
  readonly typ: string | undefined
  readonly clockTolerance: number
  readonly maxTokenAge: number | undefined
  readonly requiredClaims: readonly string[]
  readonly currentDate: Date | undefined
}

function stringSet(value: unknown, option: string): ReadonlySet<string> | undefined {
  if (value === undefined) return undefined
  // A RegExp here is the stateful-`lastIndex` trap, and an object could match anything: strings only.
  if (typeof value === 'string') return new Set([value])
  if (Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === 'string'))
    return new Set(value)
  throw new TypeError(`"${option}" must be a string or a non-empty array of strings`)
}

/** RFC 7515 §4.1.9: a `typ` without '/' means `application/<typ>`; media types compare case-insensitively. */
export function normalizeTyp(value: string): string {
  const lower = value.toLowerCase()
  return lower.includes('/') ? lower : `application/${lower}`
}

export function resolveClaimsOptions(options: JWTClaimsOptions): ResolvedClaimsOptions {
  const { subject, typ, requiredClaims = [], currentDate } = options
  if (subject !== undefined && typeof subject !== 'string') throw new TypeError('"subject" must be a string')
  if (typ !== undefined && (typeof typ !== 'string' || typ.length === 0))
    throw new TypeError('"typ" must be a string')
  if (!Array.isArray(requiredClaims) || requiredClaims.some((claim) => typeof claim !== 'string')) {
    throw new TypeError('"requiredClaims" must be an array of claim names')
  }
  assertDate(currentDate, 'currentDate')
  const required = [...requiredClaims]
  if (!options.allowMissingExpiration && !required.includes('exp')) required.push('exp')
  return {
    issuers: stringSet(options.issuer, 'issuer'),
    audiences: stringSet(options.audience, 'audience'),
    subject,
    typ: typ === undefined ? undefined : normalizeTyp(typ),
    clockTolerance:
      options.clockTolerance === undefined ? 0 : toSeconds(options.clockTolerance, 'clockTolerance'),
    maxTokenAge:
      options.maxTokenAge === undefined ? undefined : toSeconds(options.maxTokenAge, 'maxTokenAge'),
    requiredClaims: Object.freeze(required),
    currentDate,
  }
}

function fail(code: ErrorCode, claim: string, reason: string, payload: JWTPayload): never {
  throw new JWTClaimValidationError(code, claim, reason, payload)
}

function isNumericDate(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0
}

/** Registered claims must have their registered types before anything compares them. */
function assertClaimTypes(payload: JWTPayload): void {
  for (const claim of ['iss', 'sub', 'jti'] as const) {
    if (payload[claim] !== undefined && typeof payload[claim] !== 'string') {
      fail('ERR_JWT_INVALID', claim, 'must be a string', payload)
    }
  }
  for (const claim of ['exp', 'nbf', 'iat'] as const) {
    if (payload[claim] !== undefined && !isNumericDate(payload[claim])) {
      fail('ERR_JWT_INVALID', claim, 'must be a finite, non-negative NumericDate', payload)
    }
  }
  const { aud } = payload
  if (aud !== undefined && typeof aud !== 'string') {
    if (!Array.isArray(aud) || aud.length === 0 || aud.some((item) => typeof item !== 'string')) {
      fail('ERR_JWT_INVALID', 'aud', 'must be a string or a non-empty array of strings', payload)
    }
  }
}

export function validateClaims(
  payload: JWTPayload,
  protectedHeader: Record<string, unknown>,
  options: ResolvedClaimsOptions,
): void {
  if (options.typ !== undefined) {
    const typ = protectedHeader.typ
    if (typeof typ !== 'string' || normalizeTyp(typ) !== options.typ) {
      fail('ERR_JWT_TYPE_MISMATCH', 'typ', `header must be "${options.typ}"`, payload)
    }
  }
  assertClaimTypes(payload)
  for (const claim of options.requiredClaims) {
    // Own members only: `constructor` or `toString` must not count as present through the prototype.
    if (!Object.hasOwn(payload, claim) || payload[claim] === undefined) {
      fail('ERR_JWT_CLAIM_MISSING', claim, 'is required', payload)
    }
  }
  if (options.issuers && !options.issuers.has(payload.iss as string)) {
    fail(
      'ERR_JWT_ISSUER_MISMATCH',
      'iss',
      payload.iss === undefined ? 'is missing' : 'is not accepted',
      payload,
    )
  }
  if (options.subject !== undefined && payload.sub !== options.subject) {
    fail(
      'ERR_JWT_SUBJECT_MISMATCH',
      'sub',
      payload.sub === undefined ? 'is missing' : 'is not the expected subject',
      payload,
    )
  }
  if (options.audiences) {
    const { aud } = payload
    const audiences = options.audiences
    const matches =
      typeof aud === 'string'
        ? audiences.has(aud)
        : Array.isArray(aud) && aud.some((item) => audiences.has(item))
    if (!matches)
      fail(
        'ERR_JWT_AUDIENCE_MISMATCH',
        'aud',
        aud === undefined ? 'is missing' : 'names no accepted audience',
        payload,
      )
  }

  const now = epochSeconds(options.currentDate)
  const tolerance = options.clockTolerance
  if (payload.exp !== undefined && payload.exp <= now - tolerance) {
    fail('ERR_JWT_EXPIRED', 'exp', 'is in the past: the token has expired', payload)
  }
  if (payload.nbf !== undefined && payload.nbf > now + tolerance) {
    fail('ERR_JWT_NOT_YET_VALID', 'nbf', 'is in the future: the token is not yet valid', payload)
  }
  if (payload.iat !== undefined && payload.iat > now + tolerance) {
    fail('ERR_JWT_ISSUED_IN_FUTURE', 'iat', 'is in the future', payload)
  }
  if (options.maxTokenAge !== undefined) {
    if (payload.iat === undefined) fail('ERR_JWT_CLAIM_MISSING', 'iat', 'is required by maxTokenAge', payload)
    if (now - payload.iat - tolerance > options.maxTokenAge) {
      fail('ERR_JWT_TOO_OLD', 'iat', 'is older than maxTokenAge', payload)
    }
  }
}
