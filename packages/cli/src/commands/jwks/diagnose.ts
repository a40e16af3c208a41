import { calculateJwkThumbprint, importJWK, isJOSEError, type JWK } from '@tessera/jose'

export type Severity = 'error' | 'warning'

export interface Problem {
  readonly severity: Severity
  readonly code: string
  readonly message: string
}

export interface KeyView {
  readonly index: number
  readonly kid: string | null
  readonly kty: string | null
  readonly crv: string | null
  readonly bits: number | null
  readonly alg: string | null
  readonly use: string | null
  readonly thumbprint: string | null
  readonly usable: boolean
}

export interface SetDiagnosis {
  readonly keys: KeyView[]
  readonly problems: Problem[]
}

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const
const MAX_KEYS = 100

const label = (jwk: JWK, index: number) =>
  typeof jwk.kid === 'string' ? `key ${index} (kid "${jwk.kid}")` : `key ${index}`

async function viewKey(jwk: JWK, index: number, problems: Problem[]): Promise<KeyView> {
  const name = label(jwk, index)
  const privateMembers = PRIVATE_MEMBERS.filter((member) => member in jwk)
  if (jwk.kty === 'oct') {
    problems.push({
      severity: 'error',
      code: 'secret-key',
      message: `${name} is a secret (oct) key: a published secret is no secret`,
    })
  } else if (privateMembers.length > 0) {
    problems.push({
      severity: 'error',
      code: 'private-key',
      message: `${name} holds private key members (${privateMembers.join(', ')}): the set publishes a private key; revoke it`,
    })
  }
  let usable = false
  let bits: number | null = null
  try {
    const key = await importJWK(jwk)
    usable = true
    bits = key.bits
  } catch (error) {
    const reason = isJOSEError(error) ? `${error.code}: ${error.message}` : (error as Error).message
    problems.push({
      severity: 'error',
      code: 'invalid-key',
      message: `${name} does not import (${reason}); verifiers skip it`,
    })
  }
  if (typeof jwk.kid !== 'string') {
    problems.push({
      severity: 'warning',
      code: 'no-kid',
      message: `${name} has no kid: verifiers must try keys in turn`,
    })
  }
  if (jwk.use !== undefined && jwk.use !== 'sig' && jwk.use !== 'enc') {
    problems.push({
      severity: 'warning',
      code: 'bad-use',
      message: `${name} has use "${String(jwk.use)}"; only sig and enc are defined`,
    })
  }
  if (jwk.use === undefined && jwk.key_ops === undefined && jwk.alg === undefined) {
    problems.push({
      severity: 'warning',
      code: 'unbound',
      message: `${name} has no alg, use or key_ops: verifiers cannot tell what it is for`,
    })
  }
  let thumbprint: string | null = null
  try {
    thumbprint = await calculateJwkThumbprint(jwk)
  } catch {
    thumbprint = null
  }
  const text = (value: unknown) => (typeof value === 'string' ? value : null)
  return {
    index,
    kid: text(jwk.kid),
    kty: text(jwk.kty),
    crv: text(jwk.crv),
    bits,
    alg: text(jwk.alg),
    use: text(jwk.use),
    thumbprint,
    usable,
  }
}

/** Everything a verifier would trip over in a JWK set, with the keys it holds. */
export async function diagnoseSet(document: unknown): Promise<SetDiagnosis> {
  const problems: Problem[] = []
  const keysMember = (document as { keys?: unknown } | null)?.keys
  if (
    typeof document !== 'object' ||
    document === null ||
    Array.isArray(document) ||
    !Array.isArray(keysMember)
  ) {
    problems.push({
      severity: 'error',
      code: 'not-a-set',
      message: 'not a JWK set: expected a JSON object with a "keys" array',
    })
    return { keys: [], problems }
  }
  if (keysMember.length === 0)
    problems.push({ severity: 'error', code: 'empty', message: 'the set holds no keys: nothing verifies' })
  if (keysMember.length > MAX_KEYS) {
    problems.push({
      severity: 'error',
      code: 'too-many-keys',
      message: `${keysMember.length} keys; only the first ${MAX_KEYS} are inspected`,
    })
  }
  const keys: KeyView[] = []
  for (const [index, jwk] of keysMember.slice(0, MAX_KEYS).entries()) {
    if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) {
      problems.push({ severity: 'error', code: 'invalid-key', message: `key ${index} is not a JSON object` })
      continue
    }
    keys.push(await viewKey(jwk as JWK, index, problems))
  }
  const byKid = new Map<string, number>()
  for (const key of keys) if (key.kid !== null) byKid.set(key.kid, (byKid.get(key.kid) ?? 0) + 1)
  for (const [kid, count] of byKid) {
    if (count > 1) {
      problems.push({
        severity: 'error',
        code: 'duplicate-kid',
        message: `kid "${kid}" is used by ${count} keys: verifiers refuse to pick one`,
      })
    }
  }
  return { keys, problems }
}
