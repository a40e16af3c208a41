import { createPrivateKey, createPublicKey, type KeyObject, X509Certificate } from 'node:crypto'
import {
  createLocalJWKSet,
  importJWK,
  importKeyObject,
  importPEM,
  importSecret,
  isJOSEError,
  type JWK,
  type JWKSResolver,
  type Key,
} from '@tessera/jose'
import { usageError } from './exit.js'
import { readBytes } from './input.js'

/** What a key file holds, told apart by its content: a JWK, a JWK set, a PEM document, or raw secret bytes. */
export type KeyMaterial =
  | { readonly kind: 'jwk'; readonly jwk: JWK }
  | { readonly kind: 'jwks'; readonly jwks: { keys: JWK[] } }
  | { readonly kind: 'pem'; readonly pem: string }
  | { readonly kind: 'secret'; readonly bytes: Uint8Array }

function withoutFinalNewline(bytes: Buffer): Buffer {
  let end = bytes.length
  if (bytes[end - 1] === 0x0a) end--
  if (bytes[end - 1] === 0x0d) end--
  return bytes.subarray(0, end)
}

export function readKeyMaterial(path: string): KeyMaterial {
  const bytes = readBytes(path, 'key file')
  const text = bytes.toString('utf8').trim()
  if (text.startsWith('{')) {
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch (error) {
      throw usageError(`key file ${path}: not valid JSON (${(error as Error).message})`)
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw usageError(`key file ${path}: must hold a JWK or a JWK set`)
    }
    if (Array.isArray((parsed as { keys?: unknown }).keys))
      return { kind: 'jwks', jwks: parsed as { keys: JWK[] } }
    if (typeof (parsed as JWK).kty !== 'string') throw usageError(`key file ${path}: a JWK needs "kty"`)
    return { kind: 'jwk', jwk: parsed as JWK }
  }
  if (text.startsWith('-----BEGIN ')) return { kind: 'pem', pem: text }
  const secret = withoutFinalNewline(bytes)
  if (secret.length === 0) throw usageError(`key file ${path} is empty`)
  return { kind: 'secret', bytes: new Uint8Array(secret) }
}

/** A jose failure while importing a key is a problem with the file the user named: exit 2, one line. */
export function keyProblem(path: string, error: unknown): never {
  if (isJOSEError(error)) throw usageError(`key file ${path}: ${error.code}: ${error.message}`)
  if (error instanceof TypeError) throw usageError(`key file ${path}: ${error.message}`)
  throw error
}

/** One key for `alg` (signing, encrypting or decrypting), from any form a key file may take. */
export async function loadKey(
  path: string,
  alg: string | undefined,
  purpose: string,
  material: KeyMaterial = readKeyMaterial(path),
): Promise<Key> {
  try {
    switch (material.kind) {
      case 'jwk': {
        const bound = alg ?? material.jwk.alg
        return await importJWK(material.jwk, bound)
      }
      case 'jwks':
        throw usageError(`key file ${path}: a JWK set cannot be used to ${purpose}; give one key`)
      case 'pem':
        if (alg === undefined) throw usageError(`--alg is required with the PEM key ${path}`)
        return await importPEM(material.pem, alg)
      case 'secret':
        if (alg === undefined) throw usageError(`--alg is required with the secret in ${path}`)
        return importSecret(material.bytes, alg)
    }
  } catch (error) {
    return keyProblem(path, error)
  }
}

/** For verification: a key, or a resolver over a JWK set file; `algs` is the allowlist. */
export async function loadVerificationKey(
  path: string,
  algs: readonly string[],
): Promise<Key | JWKSResolver> {
  const material = readKeyMaterial(path)
  if (material.kind === 'jwks') {
    try {
      return createLocalJWKSet(material.jwks)
    } catch (error) {
      return keyProblem(path, error)
    }
  }
  const single = algs.length === 1 ? algs[0] : undefined
  if (material.kind === 'jwk') {
    try {
      return await importJWK(material.jwk, material.jwk.alg ?? single)
    } catch (error) {
      return keyProblem(path, error)
    }
  }
  if (single === undefined) throw usageError(`a PEM or secret key file needs exactly one --alg (${path})`)
  return loadKey(path, single, 'verify', material)
}

/** A PEM document as a node:crypto key: SPKI, PKCS#8, or an X.509 certificate's public key. */
export function keyObjectFromPEM(pem: string, path: string): { keyObject: KeyObject; label: string } {
  const label = /-----BEGIN ([A-Z0-9 ]+)-----/.exec(pem)?.[1] ?? ''
  try {
    if (label === 'CERTIFICATE') return { keyObject: new X509Certificate(pem).publicKey, label }
    if (label === 'PUBLIC KEY')
      return { keyObject: createPublicKey({ key: pem, format: 'pem', type: 'spki' }), label }
    if (label === 'PRIVATE KEY') {
      return { keyObject: createPrivateKey({ key: pem, format: 'pem', type: 'pkcs8' }), label }
    }
  } catch {
    throw usageError(`key file ${path}: the ${label} PEM could not be parsed`)
  }
  throw usageError(
    `key file ${path}: unsupported PEM "${label}"; use SPKI (PUBLIC KEY), PKCS#8 (PRIVATE KEY) or CERTIFICATE`,
  )
}

/** Any key file as a Key, alg optional (conversion and thumbprints need no algorithm). */
export async function loadAnyKey(
  path: string,
  alg?: string,
  material: KeyMaterial = readKeyMaterial(path),
): Promise<Key> {
  try {
    if (material.kind === 'jwk') return await importJWK(material.jwk, alg ?? material.jwk.alg)
    if (material.kind === 'pem') {
      if (alg !== undefined) return await importPEM(material.pem, alg)
      return importKeyObject(keyObjectFromPEM(material.pem, path).keyObject)
    }
  } catch (error) {
    return keyProblem(path, error)
  }
  throw usageError(`key file ${path}: expected one JWK or a PEM document`)
}
