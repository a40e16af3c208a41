import { createHash } from 'node:crypto'
import {
  createJWTSigner,
  importJWKSync,
  type JWK,
  type JWTSigner,
  type Key,
  type SigningThreads,
} from '@tessera/jose'
import type { KeyRecord } from '../storage/types.js'
import type { Sealer } from './seal.js'

export interface SigningKey {
  readonly kid: string
  readonly alg: string
  /** Signs RFC 9068 access tokens on the thread pool (`typ: at+jwt`, `kid` in the header). */
  readonly sign: JWTSigner
  /** Signs revocation snapshots with the same key (`typ: revocations+jwt`), so JWKS users verify them. */
  readonly signRevocations: JWTSigner
  /** Signs OpenID Connect ID tokens (`typ: JWT`): never mistakable for an access token. */
  readonly signIdToken: JWTSigner
}

export interface JWKSDocument {
  readonly body: string
  readonly etag: string
}

/**
 * An immutable snapshot of the key set as one instance serves it: the signing key, the published
 * public keys, and the JWKS body with its ETag, computed once per change rather than per request.
 */
export class KeyRing {
  readonly records: readonly KeyRecord[]
  readonly signing: SigningKey | undefined
  readonly jwks: JWKSDocument
  /** Keys that verify this authority's tokens: next, current and retired (revoked ones never). */
  readonly #published: ReadonlyMap<string, Key>
  readonly #revoked: ReadonlySet<string>
  /** Identifies the snapshot: the kids and states it was built from. */
  readonly fingerprint: string

  constructor(records: readonly KeyRecord[], signing: SigningKey | undefined, previous?: KeyRing) {
    this.records = records
    this.fingerprint = KeyRing.fingerprintOf(records)
    const published = new Map<string, Key>()
    const jwks: JWK[] = []
    const revoked = new Set<string>()
    for (const record of records) {
      if (record.state === 'revoked') {
        revoked.add(record.kid)
        continue
      }
      const jwk = JSON.parse(record.publicJwk) as JWK
      // RSA keys (RS*/PS* signing algorithms) are imported here and in signerFor: node:crypto reads
      // their modulus, which on Node 20.20 can stall once a ≥ 32 MB typed array exists in the process.
      // Request and JWKS size limits keep this process far from such arrays; keep them.
      published.set(record.kid, previous?.verificationKey(record.kid) ?? importJWKSync(jwk, record.alg))
      jwks.push(jwk)
    }
    this.#published = published
    this.#revoked = revoked
    const body = JSON.stringify({ keys: jwks })
    this.jwks = { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` }

    this.signing = signing
  }

  static fingerprintOf(records: readonly KeyRecord[]): string {
    return records.map((record) => `${record.kid}:${record.state}`).join(',')
  }

  /** The signers of an in-process key; `threads` sign for them when given (else Node's libuv pool). */
  static async signerFor(record: KeyRecord, sealer: Sealer, threads?: SigningThreads): Promise<SigningKey> {
    const privateKey = importJWKSync(
      JSON.parse(await sealer.unseal(record.sealedPrivateKey)) as JWK,
      record.alg,
    )
    const common = { key: privateKey, alg: record.alg, kid: record.kid, ...(threads ? { threads } : {}) }
    const sign = createJWTSigner({ ...common, typ: 'at+jwt' })
    const signRevocations = createJWTSigner({ ...common, typ: 'revocations+jwt' })
    const signIdToken = createJWTSigner({ ...common, typ: 'JWT' })
    return { kid: record.kid, alg: record.alg, sign, signRevocations, signIdToken }
  }

  /** The public key for a token's `kid`, if it is published (not revoked, not removed). */
  verificationKey(kid: unknown): Key | undefined {
    return typeof kid === 'string' ? this.#published.get(kid) : undefined
  }

  isRevoked(kid: string): boolean {
    return this.#revoked.has(kid)
  }

  get algorithms(): string[] {
    return [...new Set(this.records.map((record) => record.alg))]
  }
}
