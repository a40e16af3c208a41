import { createRemoteJWKSet, jwtVerify } from 'jose'
import type { ManualClock } from '../../src/lib/clock.js'
import type { RunningAuthority } from './authority.js'
import { requestToken } from './authority.js'

export const MINUTE = 60_000

/**
 * A relying party that caches the JWKS exactly as long as the server's Cache-Control max-age says —
 * measured on the authority's (manual) clock — and never refetches on an unknown kid. If a token
 * ever names a key the cached set lacks, the rotation was unsafe and verification fails.
 */
export class StrictRelyingParty {
  readonly #clock: ManualClock
  readonly #issuer: string
  #sets = new Map<
    string,
    { jwks: ReturnType<typeof createRemoteJWKSet>; fetchedAt: number; maxAge: number }
  >()

  constructor(clock: ManualClock, issuer: string) {
    this.#clock = clock
    this.#issuer = issuer
  }

  async #jwks(url: string) {
    let entry = this.#sets.get(url)
    const now = this.#clock.now()
    if (!entry || now - entry.fetchedAt >= entry.maxAge) {
      const head = await fetch(`${url}/.well-known/jwks.json`)
      const maxAge = Number(/max-age=(\d+)/.exec(head.headers.get('cache-control') ?? '')?.[1] ?? 0) * 1000
      const jwks = createRemoteJWKSet(new URL(`${url}/.well-known/jwks.json`), {
        cacheMaxAge: Number.POSITIVE_INFINITY,
        cooldownDuration: Number.POSITIVE_INFINITY,
      })
      await jwks.reload()
      entry = { jwks, fetchedAt: now, maxAge }
      this.#sets.set(url, entry)
    }
    return entry.jwks
  }

  /** Verifies with the JWKS fetched from `jwksFrom`; returns the error message or undefined. */
  async verify(token: string, jwksFrom: string): Promise<string | undefined> {
    try {
      await jwtVerify(token, await this.#jwks(jwksFrom), {
        issuer: this.#issuer,
        typ: 'at+jwt',
        currentDate: new Date(this.#clock.now()),
        clockTolerance: 60,
      })
      return undefined
    } catch (error) {
      return (error as Error).message
    }
  }
}

export interface IssuedToken {
  token: string
  kid: string
  exp: number
}

export async function issue(
  server: RunningAuthority,
  client: { client_id: string; client_secret: string },
): Promise<IssuedToken> {
  const { status, body } = await requestToken(server.url, client)
  if (status !== 200) throw new Error(`token request failed: ${status} ${JSON.stringify(body)}`)
  const token = body.access_token as string
  const [header, payload] = token
    .split('.')
    .slice(0, 2)
    .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')))
  return { token, kid: header.kid, exp: payload.exp }
}

/** Verifies every issued token that has not expired on the manual clock; returns the failures. */
export async function verifyLive(
  party: StrictRelyingParty,
  tokens: IssuedToken[],
  clock: ManualClock,
  jwksFrom: string,
): Promise<string[]> {
  const failures: string[] = []
  const nowSeconds = clock.now() / 1000
  for (const issued of tokens) {
    if (issued.exp <= nowSeconds) continue
    const failure = await party.verify(issued.token, jwksFrom)
    if (failure) failures.push(`${issued.kid}: ${failure}`)
  }
  return failures
}
