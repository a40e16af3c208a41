/**
 * Loads the RFC 7520 (JOSE cookbook), RFC 7797 and RFC 8037 vectors at run time from
 * `../shared/vectors/rfc7520` beside the repository root, or from `TESSERA_VECTORS` when set (the
 * vectors root holding `rfc7520/`, or the `rfc7520` directory itself). The vectors are never copied
 * into the repository; a missing file fails the test that needs it.
 */
import { Buffer } from 'node:buffer'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { FlattenedJWS, GeneralJWS, JOSEHeaderParameters, JWK } from '../../src/index.js'

const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url))

export function vectorsDirectory(): string {
  const override = process.env.TESSERA_VECTORS
  if (override) {
    const nested = join(override, 'rfc7520')
    return existsSync(nested) ? nested : override
  }
  return join(REPO_ROOT, '..', 'shared', 'vectors', 'rfc7520')
}

function readJSON(relativePath: string): unknown {
  const path = join(vectorsDirectory(), relativePath)
  if (!existsSync(path)) {
    throw new Error(
      `vector ${path} not found: the RFC 7520 vectors live in ../shared/vectors/rfc7520 beside the repository ` +
        '(or set TESSERA_VECTORS to their directory)',
    )
  }
  return JSON.parse(readFileSync(path, 'utf8'))
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function fail(path: string, message: string): never {
  throw new Error(`vector ${path}: ${message}`)
}

/** One step of a cookbook example's "signing" section. */
export interface VectorSigning {
  protected?: JOSEHeaderParameters
  protected_b64u?: string
  unprotected?: JOSEHeaderParameters
  'sig-input'?: string
  sig: string
}

/** A JSON serialization as the cookbook prints it; detached-content examples omit `payload`. */
export interface VectorFlattened {
  payload?: string
  protected?: string
  header?: JOSEHeaderParameters
  signature: string
}

export interface VectorGeneral {
  payload?: string
  signatures: Array<{ protected?: string; header?: JOSEHeaderParameters; signature: string }>
}

export interface VectorOutput {
  compact?: string
  json?: VectorGeneral
  json_flat?: VectorFlattened
}

/** An example with one key and one signature (RFC 7520 §4.1–4.7, RFC 7797, RFC 8037). */
export interface JWSVector {
  title: string
  reproducible: boolean
  input: { payload: string; key: JWK; alg: string }
  signing: VectorSigning
  output: VectorOutput
}

/** An example with several keys and signatures (RFC 7520 §4.8). */
export interface MultiJWSVector {
  title: string
  input: { payload: string; key: JWK[]; alg: string[] }
  signing: VectorSigning[]
  output: VectorOutput
}

function checkSigning(path: string, value: unknown): VectorSigning {
  if (!isObject(value) || typeof value.sig !== 'string') fail(path, '"signing" needs a "sig"')
  return value as unknown as VectorSigning
}

function checkOutput(path: string, value: unknown): VectorOutput {
  if (!isObject(value)) fail(path, '"output" must be an object')
  return value as VectorOutput
}

export function loadJWK(relativePath: string): JWK {
  const value = readJSON(relativePath)
  if (!isObject(value) || typeof value.kty !== 'string') fail(relativePath, 'not a JWK')
  return value as JWK
}

export function loadJWSVector(relativePath: string): JWSVector {
  const value = readJSON(relativePath)
  if (!isObject(value) || !isObject(value.input)) fail(relativePath, 'not a cookbook example')
  const { input } = value
  if (typeof input.payload !== 'string') fail(relativePath, '"input.payload" must be a string')
  if (!isObject(input.key)) fail(relativePath, '"input.key" must be one JWK')
  if (typeof input.alg !== 'string') fail(relativePath, '"input.alg" must be one algorithm')
  return {
    title: String(value.title),
    reproducible: value.reproducible === true,
    input: { payload: input.payload, key: input.key as JWK, alg: input.alg },
    signing: checkSigning(relativePath, value.signing),
    output: checkOutput(relativePath, value.output),
  }
}

export function loadMultiJWSVector(relativePath: string): MultiJWSVector {
  const value = readJSON(relativePath)
  if (!isObject(value) || !isObject(value.input)) fail(relativePath, 'not a cookbook example')
  const { input, signing } = value
  if (typeof input.payload !== 'string') fail(relativePath, '"input.payload" must be a string')
  if (!Array.isArray(input.key) || !input.key.every(isObject)) fail(relativePath, '"input.key" must be JWKs')
  if (!Array.isArray(input.alg) || !input.alg.every((alg) => typeof alg === 'string')) {
    fail(relativePath, '"input.alg" must be algorithm names')
  }
  if (!Array.isArray(signing)) fail(relativePath, '"signing" must be a list')
  return {
    title: String(value.title),
    input: { payload: input.payload, key: input.key as JWK[], alg: input.alg as string[] },
    signing: signing.map((step) => checkSigning(relativePath, step)),
    output: checkOutput(relativePath, value.output),
  }
}

/** The value, or a failure naming what the vector was expected to provide. */
export function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`the vector has no ${what}`)
  return value
}

/** The example's flattened JSON output, which must carry its payload. */
export function flattenedOutput(output: VectorOutput): FlattenedJWS {
  const value = required(output.json_flat, 'flattened JSON output')
  return { ...value, payload: required(value.payload, 'payload in the flattened JSON output') }
}

/** The example's general JSON output, which must carry its payload. */
export function generalOutput(output: VectorOutput): GeneralJWS {
  const value = required(output.json, 'general JSON output')
  return { ...value, payload: required(value.payload, 'payload in the general JSON output') }
}

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const

/** The public members of a JWK (for oct keys, nothing is public: the result has no `k`). */
export function publicJWK(jwk: JWK): JWK {
  const copy: JWK = { ...jwk }
  for (const name of PRIVATE_MEMBERS) delete copy[name]
  return copy
}

export const utf8 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8')
export const b64u = (text: string): string => Buffer.from(text, 'utf8').toString('base64url')
export const fromB64u = (text: string): string => Buffer.from(text, 'base64url').toString('utf8')

/** A copy of a base64url signature with its first character changed, so it no longer verifies. */
export function tamperSignature(signature: string): string {
  return (signature.startsWith('A') ? 'B' : 'A') + signature.slice(1)
}
