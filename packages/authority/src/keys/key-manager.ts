import { randomBytes } from 'node:crypto'
import {
  calculateJwkThumbprintSync,
  exportJWKSync,
  generateKeyPair,
  type JWK,
  type SigningThreads,
} from '@tessera/jose'
import type { FastifyBaseLogger } from 'fastify'
import type { AuthorityConfig } from '../config/load-config.js'
import type { AuditLog } from '../lib/audit.js'
import type { Clock } from '../lib/clock.js'
import type { KeyRecord, KeyState, Storage } from '../storage/types.js'
import { KeyRing } from './key-ring.js'
import { isEmptyPlan, planRotation, type RotationPlan, type Schedule } from './lifecycle.js'
import { tokenSigningKey } from './pkcs11/hsm-keys.js'
import { isTokenReference, type KeyToken } from './pkcs11/key-token.js'
import type { Sealer } from './seal.js'

const LEASE = 'key-rotation'

/** A manual rotation lost a race with another instance's; nothing changed, and a retry is safe. */
export class RotationConflict extends Error {
  override name = 'RotationConflict'
}

export interface KeyManagerOptions {
  storage: Storage
  sealer: Sealer
  config: AuthorityConfig
  clock: Clock
  log: FastifyBaseLogger
  audit: AuditLog
  /** When set, new keys are generated and used inside this PKCS#11 token. */
  token?: KeyToken | undefined
  /** When set, in-process keys sign on these worker threads. */
  threads?: SigningThreads | undefined
}

/**
 * Owns this instance's KeyRing. Every `keyReloadInterval` it reloads the keys from storage and, if it
 * holds the rotation lease, applies the rotation schedule. Several instances may share a database:
 * one holds the lease and rotates; every transition is conditional on the state it expects, so a
 * lapsed lease holder racing a new one changes nothing; and all instances see the result on their
 * next reload.
 */
export class KeyManager {
  readonly #options: KeyManagerOptions
  readonly #schedule: Schedule
  readonly #instanceId = randomBytes(8).toString('hex')
  #ring: KeyRing | undefined
  #timer: NodeJS.Timeout | undefined
  #running: Promise<void> | undefined

  constructor(options: KeyManagerOptions) {
    this.#options = options
    const { rotationPeriod, publishLead, retirePeriod } = options.config
    this.#schedule = {
      rotationPeriod: rotationPeriod * 1000,
      publishLead: publishLead * 1000,
      retirePeriod: retirePeriod * 1000,
    }
  }

  get ring(): KeyRing {
    if (!this.#ring) throw new Error('the key manager has not started')
    return this.#ring
  }

  /** Loads the keys, creates the first ones if needed, and starts the schedule. */
  async start(): Promise<void> {
    const interval = this.#options.config.keyReloadInterval * 1000
    const deadline = Date.now() + Math.max(10_000, interval * 5)
    await this.tick()
    // Another instance may hold the lease on a fresh database: wait for it to create the first key.
    while (!this.ring.signing) {
      if (Date.now() > deadline) throw new Error('no signing key appeared in the database')
      await new Promise((resolve) => setTimeout(resolve, Math.min(interval, 200)))
      await this.tick()
    }
    this.#timer = setInterval(() => {
      this.tick().catch((error: unknown) => this.#options.log.error({ err: error }, 'key schedule failed'))
    }, interval)
    this.#timer.unref()
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer)
    this.#timer = undefined
    await this.#running
  }

  /** Reload and, when holding the lease, rotate. Calls never overlap. */
  tick(): Promise<void> {
    this.#running = (this.#running ?? Promise.resolve()).then(() => this.#tick())
    return this.#running
  }

  async #tick(): Promise<void> {
    const { storage, clock, config } = this.#options
    let records = await storage.listKeys()
    const now = clock.now()
    const plan = planRotation(records, now, this.#schedule)
    if (!isEmptyPlan(plan)) {
      const leaseMs = Math.max(config.keyReloadInterval * 3000, 10_000)
      if (await storage.acquireLease(LEASE, this.#instanceId, now, now + leaseMs)) {
        await this.#apply(plan, now, records)
        records = await storage.listKeys()
      }
    }
    await this.#install(records)
  }

  async #install(records: KeyRecord[]): Promise<void> {
    if (this.#ring && this.#ring.fingerprint === KeyRing.fingerprintOf(records)) return
    const previous = this.#ring
    const current = records.find((record) => record.state === 'current')
    // Unseal only when the signing key changes; the signer is kept across reloads otherwise.
    const signing =
      current === undefined
        ? undefined
        : previous?.signing?.kid === current.kid
          ? previous.signing
          : isTokenReference(current.sealedPrivateKey)
            ? tokenSigningKey(current, this.#options.token)
            : await KeyRing.signerFor(current, this.#options.sealer, this.#options.threads)
    this.#ring = new KeyRing(records, signing, previous)
    if (previous) this.#options.log.info({ keys: this.#ring.fingerprint }, 'key set changed')
  }

  async #apply(plan: RotationPlan, now: number, records: readonly KeyRecord[]): Promise<void> {
    const { storage, audit } = this.#options
    if (plan.transitions.length > 0 && (await storage.transitionKeys(plan.transitions))) {
      for (const t of plan.transitions) audit.record(`key.${t.to}`, t.kid, { from: t.from })
    }
    if (plan.create) await this.#createKey(plan.create, now)
    for (const kid of plan.remove) {
      await storage.deleteKey(kid)
      audit.record('key.removed', kid, {})
      // Only the lease holder removes a key, so exactly one instance destroys its token objects.
      const removed = records.find((record) => record.kid === kid)
      if (removed && isTokenReference(removed.sealedPrivateKey) && this.#options.token) {
        await this.#options.token.destroy(removed.sealedPrivateKey)
        audit.record('key.destroyed', kid, { in: 'pkcs11' })
      }
    }
  }

  async #createKey(state: 'current' | 'next', now: number): Promise<string | undefined> {
    const { storage, sealer, config, audit, log, token } = this.#options
    let publicJwk: JWK
    let sealedPrivateKey: string
    if (token) {
      // Generated inside the token: the record holds only a reference to the private key.
      const pair = await token.generate(config.signingAlg)
      publicJwk = pair.publicJwk
      sealedPrivateKey = pair.reference
    } else {
      const { privateKey } = await generateKeyPair(config.signingAlg)
      publicJwk = exportJWKSync(privateKey, { publicOnly: true })
      sealedPrivateKey = await sealer.seal(JSON.stringify(exportJWKSync(privateKey)))
    }
    // The RFC 7638 thumbprint names the key: stable, unique, and derivable by anyone holding the JWK.
    const kid = calculateJwkThumbprintSync(publicJwk)
    const record: KeyRecord = {
      kid,
      alg: config.signingAlg,
      state,
      publicJwk: JSON.stringify({ ...publicJwk, kid, alg: config.signingAlg, use: 'sig' }),
      sealedPrivateKey,
      createdAt: now,
      activatedAt: state === 'current' ? now : null,
      retiredAt: null,
    }
    try {
      await storage.insertKey(record)
    } catch (error) {
      // The unique index on current/next: another instance created this key first.
      log.warn({ err: error, state }, 'key creation lost a race')
      if (token) await token.destroy(sealedPrivateKey)
      return undefined
    }
    audit.record('key.created', kid, { state, alg: config.signingAlg })
    log.info({ kid, state }, 'signing key created')
    return kid
  }

  /** Admin: publish-and-switch now, skipping the schedule (the next key signs immediately). */
  async rotateNow(): Promise<void> {
    const now = this.#options.clock.now()
    const records = await this.#options.storage.listKeys()
    const current = records.find((record) => record.state === 'current')
    let nextKid = records.find((record) => record.state === 'next')?.kid
    nextKid ??= await this.#createKey('next', now)
    if (!current || !nextKid) throw new RotationConflict('rotation raced another instance; retry')
    const ok = await this.#options.storage.transitionKeys([
      { kid: current.kid, from: 'current', to: 'retired', at: now },
      { kid: nextKid, from: 'next', to: 'current', at: now },
    ])
    if (!ok) throw new RotationConflict('rotation raced another instance; retry')
    this.#options.audit.record('key.rotated', nextKid, { retired: current.kid, manual: true })
    await this.tick()
  }

  /** Admin: a compromised key leaves the JWKS at once; its tokens become inactive at introspection. */
  async revoke(kid: string): Promise<boolean> {
    const record = (await this.#options.storage.listKeys()).find((key) => key.kid === kid)
    if (!record || record.state === 'revoked') return false
    const from: KeyState = record.state
    const ok = await this.#options.storage.transitionKeys([
      { kid, from, to: 'revoked', at: this.#options.clock.now() },
    ])
    if (!ok) return false
    this.#options.audit.record('key.revoked', kid, { from })
    if (from === 'current') {
      // Nothing signs now: promote the next key or create one here, without waiting for the lease.
      const now = this.#options.clock.now()
      const next = (await this.#options.storage.listKeys()).find((key) => key.state === 'next')
      const promoted =
        next &&
        (await this.#options.storage.transitionKeys([
          { kid: next.kid, from: 'next', to: 'current', at: now },
        ]))
      if (!promoted) await this.#createKey('current', now)
    }
    await this.tick()
    return true
  }
}
