import { RevocationError } from './revocation-error.js'

/** The kill-switch targets, as the authority names them. */
export type CutoffKind = 'subject' | 'device' | 'client'
const KINDS: readonly CutoffKind[] = ['subject', 'device', 'client']

/** A verified revocation snapshot, as the gateway applies it. */
export interface RevocationSnapshot {
  readonly version: number
  /** NumericDate seconds. */
  readonly iat: number
  readonly exp: number
  /** Revoked access-token jtis → when the entry may be forgotten (NumericDate). */
  readonly jtis: ReadonlyMap<string, number>
  readonly refreshFamilies: ReadonlySet<string>
  /** Per kind: value → tokens with `iat` before this (NumericDate, may be fractional) are revoked. */
  readonly issuedBefore: Readonly<Record<CutoffKind, ReadonlyMap<string, number>>>
}

/** Bounds on what a snapshot may hold, whatever its signature says. */
const MAX_ENTRIES = 2_000_000
const MAX_KEY_LENGTH = 200

function invalid(message: string): never {
  throw new RevocationError('ERR_REVOCATION_INVALID', `revocation snapshot: ${message}`)
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function numericMap(value: unknown, name: string, budget: { left: number }): Map<string, number> {
  if (!isRecord(value)) invalid(`"${name}" must be an object`)
  const map = new Map<string, number>()
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue
    if (--budget.left < 0) invalid(`more than ${MAX_ENTRIES} entries`)
    const time = value[key]
    if (key.length === 0 || key.length > MAX_KEY_LENGTH) invalid(`"${name}" has an unusable key`)
    if (typeof time !== 'number' || !Number.isFinite(time) || time < 0)
      invalid(`"${name}" values must be NumericDates`)
    map.set(key, time)
  }
  return map
}

/** Checks the verified payload's shape and turns it into lookups. */
export function parseSnapshot(payload: Readonly<Record<string, unknown>>): RevocationSnapshot {
  const { version, iat, exp } = payload
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 0)
    invalid('"version" must be a non-negative integer')
  if (typeof iat !== 'number' || typeof exp !== 'number') invalid('"iat" and "exp" are required')
  const budget = { left: MAX_ENTRIES }
  const issuedBefore = payload.issued_before
  if (!isRecord(issuedBefore)) invalid('"issued_before" must be an object')
  const cutoffs = {} as Record<CutoffKind, Map<string, number>>
  for (const kind of KINDS)
    cutoffs[kind] = numericMap(issuedBefore[kind] ?? {}, `issued_before.${kind}`, budget)
  return {
    version,
    iat,
    exp,
    jtis: numericMap(payload.jtis, 'jtis', budget),
    refreshFamilies: new Set(numericMap(payload.refresh_families, 'refresh_families', budget).keys()),
    issuedBefore: cutoffs,
  }
}
