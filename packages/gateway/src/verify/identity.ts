import type { JWTPayload } from '@tessera/jose'

/** Who a verified token speaks for. Frozen: one identity is shared by every cached hit. */
export interface Identity {
  readonly sub: string | undefined
  readonly client_id: string | undefined
  /** The `scope` claim (RFC 9068 §2.2.3, space-separated) as a set. */
  readonly scope: ReadonlySet<string>
  /** Tessera's device ACL (`{ publish, subscribe }` topic filters), when the token carries one. */
  readonly acl: Readonly<{ publish?: readonly string[]; subscribe?: readonly string[] }> | undefined
  readonly claims: Readonly<JWTPayload>
  /** `exp` in milliseconds since the epoch. */
  readonly expiresAt: number
}

function readScope(claims: JWTPayload): ReadonlySet<string> {
  if (typeof claims.scope === 'string') return new Set(claims.scope.split(' ').filter(Boolean))
  // Some issuers send `scp` as an array; accept it only when there is no `scope`.
  if (Array.isArray(claims.scp) && claims.scp.every((item) => typeof item === 'string'))
    return new Set(claims.scp as string[])
  return new Set()
}

function readAcl(claims: JWTPayload): Identity['acl'] {
  const { acl } = claims
  if (typeof acl !== 'object' || acl === null || Array.isArray(acl)) return undefined
  const record = acl as Record<string, unknown>
  const list = (value: unknown) =>
    Array.isArray(value) && value.every((item) => typeof item === 'string') ? (value as string[]) : undefined
  const publish = list(record.publish)
  const subscribe = list(record.subscribe)
  return Object.freeze({ ...(publish ? { publish } : {}), ...(subscribe ? { subscribe } : {}) })
}

export function toIdentity(claims: JWTPayload): Identity {
  return Object.freeze({
    sub: typeof claims.sub === 'string' ? claims.sub : undefined,
    client_id: typeof claims.client_id === 'string' ? claims.client_id : undefined,
    scope: readScope(claims),
    acl: readAcl(claims),
    claims,
    expiresAt: typeof claims.exp === 'number' ? claims.exp * 1000 : Number.POSITIVE_INFINITY,
  })
}

/** The scopes of `required` the identity lacks; empty when every one is granted. */
export function missingScopes(identity: Identity, required: readonly string[]): string[] {
  return required.filter((scope) => !identity.scope.has(scope))
}
