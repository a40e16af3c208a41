import { createHash, randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { JWK } from '@tessera/jose'
import type { PKCS11, Template } from 'pkcs11js'
import { type Pkcs11Module, RSA_MODULUS_BITS, type TokenAlgorithm, tokenAlgorithm } from './algorithms.js'
import { ecPublicJwk, rsaPublicJwk } from './public-jwk.js'

/** Stored in a key record instead of a sealed private key: the key lives in the token under this id. */
export const TOKEN_REFERENCE_PREFIX = 'pkcs11:id='

export function isTokenReference(sealedPrivateKey: string): boolean {
  return sealedPrivateKey.startsWith(TOKEN_REFERENCE_PREFIX)
}

export interface KeyTokenOptions {
  /** Path of the PKCS#11 module (for SoftHSM: /usr/lib/softhsm/libsofthsm2.so). */
  module: string
  /** The token, by label (preferred) or by slot id. */
  tokenLabel?: string | undefined
  slot?: number | undefined
  /** The user PIN, or a file holding it (trailing newline ignored). */
  pin?: string | undefined
  pinFile?: string | undefined
  /** Sessions kept open for signing in parallel (each runs one operation at a time). */
  sessions?: number
}

/** A signing key pair generated in the token; only the public half ever leaves it. */
export interface TokenKeyPair {
  reference: string
  publicJwk: JWK
}

type Handle = Buffer

/**
 * A PKCS#11 token holding the authority's signing keys. Keys are generated inside it as token
 * objects, private, sensitive and non-extractable, so the private halves never exist outside the
 * token; the authority reads only public attributes and asks the token to sign. One logged-in
 * application with a small pool of sessions: PKCS#11 runs one operation per session at a time, and
 * object handles are valid in every session of the application.
 */
export class KeyToken {
  readonly #p: Pkcs11Module
  readonly #module: PKCS11
  readonly #idle: Handle[] = []
  readonly #waiting: ((session: Handle) => void)[] = []
  readonly #keys = new Map<string, Handle>()
  #closed = false

  private constructor(p: Pkcs11Module, module: PKCS11, sessions: Handle[]) {
    this.#p = p
    this.#module = module
    this.#idle.push(...sessions)
  }

  static async open(options: KeyTokenOptions): Promise<KeyToken> {
    const pin = options.pinFile === undefined ? options.pin : readPinFile(options.pinFile)
    if (pin === undefined) throw new TypeError('a PKCS#11 token needs "pkcs11Pin" or "pkcs11PinFile"')
    if (options.tokenLabel === undefined && options.slot === undefined) {
      throw new TypeError('a PKCS#11 token needs "pkcs11TokenLabel" or "pkcs11Slot"')
    }
    const p = ((await import('pkcs11js')) as { default?: Pkcs11Module }).default as Pkcs11Module
    const module = new p.PKCS11()
    module.load(options.module)
    // Signatures run on libuv's thread pool, several at once: the module must lock for itself.
    module.C_Initialize({ flags: p.CKF_OS_LOCKING_OK })
    try {
      const slot = findSlot(module, options)
      const flags = p.CKF_SERIAL_SESSION | p.CKF_RW_SESSION
      const sessions = Array.from({ length: options.sessions ?? 4 }, () => module.C_OpenSession(slot, flags))
      const [first] = sessions
      if (first === undefined) throw new TypeError('"sessions" must be at least 1')
      module.C_Login(first, p.CKU_USER, pin)
      return new KeyToken(p, module, sessions)
    } catch (error) {
      module.C_Finalize()
      module.close()
      throw error
    }
  }

  /** Generates a key pair for `alg` in the token; returns its reference and public JWK. */
  async generate(alg: string): Promise<TokenKeyPair> {
    const p = this.#p
    const algorithm = tokenAlgorithm(p, alg)
    const id = randomBytes(16)
    const label = `tessera-${id.toString('hex')}`
    const common: Template = [
      { type: p.CKA_TOKEN, value: true },
      { type: p.CKA_ID, value: id },
      { type: p.CKA_LABEL, value: label },
    ]
    const publicTemplate: Template = [
      ...common,
      { type: p.CKA_VERIFY, value: true },
      { type: p.CKA_PRIVATE, value: false },
    ]
    const privateTemplate: Template = [
      ...common,
      { type: p.CKA_SIGN, value: true },
      { type: p.CKA_PRIVATE, value: true },
      { type: p.CKA_SENSITIVE, value: true },
      { type: p.CKA_EXTRACTABLE, value: false },
    ]
    return this.#withSession(async (session) => {
      if (algorithm.kind === 'ec') {
        publicTemplate.push({ type: p.CKA_EC_PARAMS, value: algorithm.oid })
        const keys = await this.#module.C_GenerateKeyPairAsync(
          session,
          { mechanism: p.CKM_EC_KEY_PAIR_GEN },
          publicTemplate,
          privateTemplate,
        )
        const [point] = this.#module.C_GetAttributeValue(session, keys.publicKey, [{ type: p.CKA_EC_POINT }])
        this.#keys.set(id.toString('hex'), keys.privateKey)
        return {
          reference: referenceOf(id),
          publicJwk: ecPublicJwk(point?.value as Buffer, algorithm.curve, algorithm.size),
        }
      }
      publicTemplate.push(
        { type: p.CKA_MODULUS_BITS, value: RSA_MODULUS_BITS },
        { type: p.CKA_PUBLIC_EXPONENT, value: Buffer.from([1, 0, 1]) },
      )
      const keys = await this.#module.C_GenerateKeyPairAsync(
        session,
        { mechanism: p.CKM_RSA_PKCS_KEY_PAIR_GEN },
        publicTemplate,
        privateTemplate,
      )
      const [modulus, exponent] = this.#module.C_GetAttributeValue(session, keys.publicKey, [
        { type: p.CKA_MODULUS },
        { type: p.CKA_PUBLIC_EXPONENT },
      ])
      this.#keys.set(id.toString('hex'), keys.privateKey)
      return {
        reference: referenceOf(id),
        publicJwk: rsaPublicJwk(modulus?.value as Buffer, exponent?.value as Buffer),
      }
    })
  }

  /** A function signing a JWS signing input with the referenced key, in the token. */
  signer(reference: string, alg: string): (input: string) => Promise<Buffer> {
    const algorithm = tokenAlgorithm(this.#p, alg)
    const id = idOf(reference)
    return (input) => this.#sign(id, algorithm, Buffer.from(input, 'ascii'))
  }

  /** Destroys both halves of the referenced key pair (after retirement). Absent objects are fine. */
  async destroy(reference: string): Promise<void> {
    const id = idOf(reference)
    await this.#withSession(async (session) => {
      for (const handle of this.#find(session, id, undefined)) this.#module.C_DestroyObject(session, handle)
    })
    this.#keys.delete(id.toString('hex'))
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    try {
      this.#module.C_Finalize()
    } finally {
      this.#module.close()
    }
  }

  async #sign(id: Buffer, algorithm: TokenAlgorithm, input: Buffer): Promise<Buffer> {
    const p = this.#p
    return this.#withSession(async (session) => {
      const key = this.#privateKey(session, id)
      if (algorithm.kind === 'ec') {
        const digest = createHash(algorithm.hash).update(input).digest()
        this.#module.C_SignInit(session, { mechanism: p.CKM_ECDSA }, key)
        return this.#module.C_SignAsync(session, digest, Buffer.alloc(2 * algorithm.size))
      }
      const mechanism =
        algorithm.pss === undefined
          ? { mechanism: algorithm.mechanism }
          : { mechanism: algorithm.mechanism, parameter: { type: p.CK_PARAMS_RSA_PSS, ...algorithm.pss } }
      this.#module.C_SignInit(session, mechanism, key)
      return this.#module.C_SignAsync(session, input, Buffer.alloc(RSA_MODULUS_BITS / 8))
    })
  }

  #privateKey(session: Handle, id: Buffer): Handle {
    const cached = this.#keys.get(id.toString('hex'))
    if (cached !== undefined) return cached
    const [found] = this.#find(session, id, this.#p.CKO_PRIVATE_KEY)
    if (found === undefined) throw new Error(`signing key ${id.toString('hex')} is not in the PKCS#11 token`)
    this.#keys.set(id.toString('hex'), found)
    return found
  }

  #find(session: Handle, id: Buffer, objectClass: number | undefined): Handle[] {
    const template: Template = [{ type: this.#p.CKA_ID, value: id }]
    if (objectClass !== undefined) template.push({ type: this.#p.CKA_CLASS, value: objectClass })
    this.#module.C_FindObjectsInit(session, template)
    try {
      return this.#module.C_FindObjects(session, 16)
    } finally {
      this.#module.C_FindObjectsFinal(session)
    }
  }

  async #withSession<T>(run: (session: Handle) => Promise<T>): Promise<T> {
    if (this.#closed) throw new Error('the PKCS#11 token is closed')
    const session = this.#idle.pop() ?? (await new Promise<Handle>((resolve) => this.#waiting.push(resolve)))
    try {
      return await run(session)
    } finally {
      const next = this.#waiting.shift()
      if (next) next(session)
      else this.#idle.push(session)
    }
  }
}

function readPinFile(path: string): string {
  return readFileSync(path, 'utf8').replace(/\r?\n$/, '')
}

function findSlot(module: PKCS11, options: KeyTokenOptions): Handle {
  for (const slot of module.C_GetSlotList(true)) {
    if (options.slot !== undefined) {
      if (slot.readUIntLE(0, Math.min(slot.length, 6)) === options.slot) return slot
      continue
    }
    if (module.C_GetTokenInfo(slot).label.trimEnd() === options.tokenLabel) return slot
  }
  const wanted = options.tokenLabel !== undefined ? `label "${options.tokenLabel}"` : `slot ${options.slot}`
  throw new TypeError(`no initialised PKCS#11 token with ${wanted}`)
}

function referenceOf(id: Buffer): string {
  return `${TOKEN_REFERENCE_PREFIX}${id.toString('hex')}`
}

function idOf(reference: string): Buffer {
  const hex = reference.slice(TOKEN_REFERENCE_PREFIX.length)
  if (!isTokenReference(reference) || !/^[0-9a-f]{32}$/.test(hex))
    throw new Error('not a PKCS#11 key reference')
  return Buffer.from(hex, 'hex')
}
