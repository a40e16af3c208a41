/**
 * Every library under test, set up once per algorithm the way its documentation recommends for speed,
 * plus the floor: bare node:crypto computing only the primitive over the same signing input.
 */
import { Buffer } from 'node:buffer'
import {
  constants,
  createHmac,
  type KeyObject,
  sign as nodeSign,
  verify as nodeVerify,
  type SignKeyObjectInput,
  timingSafeEqual,
} from 'node:crypto'
import { createRequire } from 'node:module'
import * as fastJwt from 'fast-jwt'
import * as jose from 'jose'
import jsonwebtoken from 'jsonwebtoken'
import {
  createJWTSigner,
  createJWTVerifier,
  importPEM,
  importSecret,
  type Key,
  signJWT,
  verifyJWT,
} from '../src/index.js'
import { AUDIENCE, ISSUER, type KeyMaterial, LIFETIME, legacyName, PER_TOKEN_CLAIMS } from './fixtures.js'
import type { Operation } from './harness.js'

export type ContenderKind = 'floor' | 'tessera' | 'peer'

/** What one contender does for one algorithm: per operation, the call for each mode. */
export interface Contender {
  readonly id: string
  readonly label: string
  readonly kind: ContenderKind
  /** A verify-side cache that skips the signature on repeated tokens (excluded from "fastest peer"). */
  readonly cached?: boolean
  readonly sign?: { readonly sequential: Operation; readonly inFlight: Operation }
  readonly verify?: { readonly sequential: Operation; readonly inFlight: Operation }
}

export const CONTENDERS: readonly { id: string; label: string; kind: ContenderKind }[] = [
  { id: 'floor', label: 'node:crypto floor', kind: 'floor' },
  { id: 'tessera', label: '@tessera/jose createJWT*', kind: 'tessera' },
  { id: 'tessera-plain', label: '@tessera/jose signJWT/verifyJWT', kind: 'tessera' },
  { id: 'jose', label: 'jose', kind: 'peer' },
  { id: 'fast-jwt', label: 'fast-jwt', kind: 'peer' },
  { id: 'fast-jwt-cache', label: 'fast-jwt (cache)', kind: 'peer' },
  { id: 'jsonwebtoken', label: 'jsonwebtoken', kind: 'peer' },
  { id: 'node-rs', label: '@node-rs/jsonwebtoken', kind: 'peer' },
]

/** The column entry of a contender (its id, label and kind). */
export function entry(id: string): { id: string; label: string; kind: ContenderKind } {
  const found = CONTENDERS.find((contender) => contender.id === id)
  if (!found) throw new Error(`unknown contender ${id}`)
  return found
}

/** Tokens to verify: the same claims, signed once per header `alg` spelling. */
export interface Tokens {
  /** `alg` as named in RFC 9864 (`Ed25519`), for @tessera/jose, jose and the floor. */
  readonly modern: string
  /** `alg` as older libraries know it (`EdDSA`). */
  readonly legacy: string
}

const HASH = {
  HS256: 'sha256',
  RS256: 'sha256',
  PS256: 'sha256',
  ES256: 'sha256',
  ES384: 'sha384',
  Ed25519: null,
}

function promised<T>(run: (callback: (error: Error | null, value: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => run((error, value) => (error ? reject(error) : resolve(value))))
}

function floorContender(material: KeyMaterial, token: string): Contender {
  const { alg, privateKey, publicKey } = material
  const hash = HASH[alg]
  const dot = token.lastIndexOf('.')
  const input = Buffer.from(token.slice(0, dot), 'latin1')
  const signature = Buffer.from(token.slice(dot + 1), 'base64url')
  if (alg === 'HS256') {
    const mac = () => createHmac('sha256', privateKey).update(input).digest()
    const check = () => {
      const expected = mac()
      return expected.length === signature.length && timingSafeEqual(expected, signature)
    }
    return {
      ...entry('floor'),
      sign: { sequential: mac, inFlight: mac },
      verify: { sequential: check, inFlight: check },
    }
  }
  const prepared = (key: KeyObject): KeyObject | SignKeyObjectInput =>
    alg === 'PS256'
      ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }
      : alg === 'ES256' || alg === 'ES384'
        ? { key, dsaEncoding: 'ieee-p1363' }
        : key
  const signKey = prepared(privateKey)
  const verifyKey = prepared(publicKey)
  return {
    ...entry('floor'),
    sign: {
      sequential: () => nodeSign(hash, input, signKey),
      inFlight: () => promised<Buffer>((done) => nodeSign(hash, input, signKey, done)),
    },
    verify: {
      sequential: () => nodeVerify(hash, input, verifyKey, signature),
      inFlight: () => promised<boolean>((done) => nodeVerify(hash, input, verifyKey, signature, done)),
    },
  }
}

async function tesseraKeys(material: KeyMaterial): Promise<{ privateKey: Key; publicKey: Key }> {
  if (material.alg === 'HS256') {
    const key = importSecret(material.privatePem as Buffer, 'HS256')
    return { privateKey: key, publicKey: key }
  }
  return {
    privateKey: await importPEM(material.privatePem as string, material.alg),
    publicKey: await importPEM(material.publicPem as string, material.alg),
  }
}

async function tesseraContenders(material: KeyMaterial, tokens: Tokens): Promise<Contender[]> {
  const { alg } = material
  const { privateKey, publicKey } = await tesseraKeys(material)
  const signOptions = { alg, issuer: ISSUER, audience: AUDIENCE, expiresIn: LIFETIME }
  const verifyOptions = { algorithms: [alg], issuer: ISSUER, audience: AUDIENCE }
  const signer = createJWTSigner({ key: privateKey, ...signOptions })
  const verifier = createJWTVerifier({ key: publicKey, ...verifyOptions })
  const token = tokens.modern
  return [
    {
      ...entry('tessera'),
      sign: { sequential: () => signer.sync(PER_TOKEN_CLAIMS), inFlight: () => signer(PER_TOKEN_CLAIMS) },
      verify: { sequential: () => verifier.sync(token), inFlight: () => verifier(token) },
    },
    {
      ...entry('tessera-plain'),
      sign: {
        sequential: () => signJWT(PER_TOKEN_CLAIMS, privateKey, signOptions),
        inFlight: () => signJWT(PER_TOKEN_CLAIMS, privateKey, signOptions),
      },
      verify: {
        sequential: () => verifyJWT(token, publicKey, verifyOptions),
        inFlight: () => verifyJWT(token, publicKey, verifyOptions),
      },
    },
  ]
}

async function joseContender(material: KeyMaterial, tokens: Tokens): Promise<Contender> {
  const { alg } = material
  const privateKey =
    alg === 'HS256'
      ? new Uint8Array(material.privatePem as Buffer)
      : await jose.importPKCS8(material.privatePem as string, alg)
  const publicKey = alg === 'HS256' ? privateKey : await jose.importSPKI(material.publicPem as string, alg)
  const sign = () =>
    new jose.SignJWT({ ...PER_TOKEN_CLAIMS })
      .setProtectedHeader({ alg, typ: 'JWT' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('15m')
      .sign(privateKey)
  const verify = () =>
    jose.jwtVerify(tokens.modern, publicKey, { algorithms: [alg], issuer: ISSUER, audience: AUDIENCE })
  return {
    ...entry('jose'),
    sign: { sequential: sign, inFlight: sign },
    verify: { sequential: verify, inFlight: verify },
  }
}

function fastJwtContenders(material: KeyMaterial, tokens: Tokens): Contender[] {
  const algorithm = legacyName(material.alg)
  const signer = fastJwt.createSigner({
    key: material.privatePem,
    algorithm,
    iss: ISSUER,
    aud: AUDIENCE,
    expiresIn: LIFETIME * 1000,
  })
  const verifierOptions = {
    key: material.publicPem,
    algorithms: [algorithm],
    allowedIss: ISSUER,
    allowedAud: AUDIENCE,
  }
  const verifier = fastJwt.createVerifier(verifierOptions)
  const cachedVerifier = fastJwt.createVerifier({ ...verifierOptions, cache: true })
  const sign = () => signer(PER_TOKEN_CLAIMS)
  const verify = () => verifier(tokens.legacy)
  const verifyCached = () => cachedVerifier(tokens.legacy)
  return [
    {
      ...entry('fast-jwt'),
      sign: { sequential: sign, inFlight: sign },
      verify: { sequential: verify, inFlight: verify },
    },
    {
      ...entry('fast-jwt-cache'),
      cached: true,
      verify: { sequential: verifyCached, inFlight: verifyCached },
    },
  ]
}

function jsonwebtokenContender(material: KeyMaterial, tokens: Tokens): Contender | string {
  if (material.alg === 'Ed25519') return 'jsonwebtoken 9 does not implement EdDSA'
  const algorithm = material.alg
  const sign = () =>
    jsonwebtoken.sign(PER_TOKEN_CLAIMS, material.privateKey, {
      algorithm,
      issuer: ISSUER,
      audience: AUDIENCE,
      expiresIn: LIFETIME,
    })
  const verify = () =>
    jsonwebtoken.verify(tokens.legacy, material.publicKey, {
      algorithms: [algorithm],
      issuer: ISSUER,
      audience: AUDIENCE,
    })
  return {
    ...entry('jsonwebtoken'),
    sign: { sequential: sign, inFlight: sign },
    verify: { sequential: verify, inFlight: verify },
  }
}

type NodeRs = typeof import('@node-rs/jsonwebtoken')
let nodeRs: NodeRs | string | undefined

/** @node-rs/jsonwebtoken is an optional dependency (a native addon); a failed load is a note, not a crash. */
function loadNodeRs(): NodeRs | string {
  if (nodeRs === undefined) {
    try {
      nodeRs = createRequire(import.meta.url)('@node-rs/jsonwebtoken') as NodeRs
    } catch (error) {
      nodeRs = `@node-rs/jsonwebtoken did not load (${(error as Error).message.split('\n')[0]})`
    }
  }
  return nodeRs
}

function nodeRsContender(material: KeyMaterial, tokens: Tokens): Contender | string {
  const lib = loadNodeRs()
  if (typeof lib === 'string') return lib
  const algorithm = legacyName(material.alg) as import('@node-rs/jsonwebtoken').Algorithm
  const key = material.privatePem
  const publicKey = material.publicPem
  const header = { algorithm }
  const validation = { algorithms: [algorithm], iss: [ISSUER], aud: [AUDIENCE] }
  // It takes the whole claims set: iat and exp are computed per token, as a caller would.
  const claims = () => {
    const now = Math.floor(Date.now() / 1000)
    return { ...PER_TOKEN_CLAIMS, iss: ISSUER, aud: AUDIENCE, iat: now, exp: now + LIFETIME }
  }
  return {
    ...entry('node-rs'),
    sign: {
      sequential: () => lib.signSync(claims(), key, header),
      inFlight: () => lib.sign(claims(), key, header),
    },
    verify: {
      sequential: () => lib.verifySync(tokens.legacy, publicKey, validation),
      inFlight: () => lib.verify(tokens.legacy, publicKey, validation),
    },
  }
}

/** Every contender for one algorithm, and a note for each one that cannot run it. */
export async function setUpContenders(
  material: KeyMaterial,
  tokens: Tokens,
): Promise<{ contenders: Contender[]; notes: string[] }> {
  const notes: string[] = []
  const optional = [jsonwebtokenContender(material, tokens), nodeRsContender(material, tokens)]
  const contenders: Contender[] = [
    floorContender(material, tokens.modern),
    ...(await tesseraContenders(material, tokens)),
    await joseContender(material, tokens),
    ...fastJwtContenders(material, tokens),
  ]
  for (const entry of optional) {
    if (typeof entry === 'string') notes.push(`${material.alg}: ${entry}`)
    else contenders.push(entry)
  }
  return { contenders, notes }
}
