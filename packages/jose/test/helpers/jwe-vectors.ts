/**
 * Loads the RFC 7520 §5 (JWE), §6 (nesting) and RFC 8037 ECDH-ES examples at run time from the same
 * directory as the JWS vectors (../shared/vectors/rfc7520 beside the repository, or TESSERA_VECTORS).
 * Nothing is copied into the repository; a missing file fails the test that needs it.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { FlattenedJWE, GeneralJWE, JWEHeaderParameters, JWK } from '../../src/index.js'
import { vectorsDirectory } from './vectors.js'

export interface JWEVector {
  title: string
  reproducible: boolean
  input: {
    plaintext: string
    key?: JWK | JWK[]
    pwd?: string
    alg: string | string[]
    enc: string
    zip?: string
    aad?: string
  }
  generated: { cek?: string; iv: string; aad_b64u?: string; plaintext_c?: string }
  encrypting_key:
    | {
        encrypted_key?: string
        epk?: JWK
        cek?: string
        iv?: string
        tag?: string
        salt?: string
        iteration_count?: number
      }
    | Array<{ encrypted_key: string; epk?: JWK; iv?: string; tag?: string }>
  encrypting_content: {
    protected?: JWEHeaderParameters
    protected_b64u?: string
    unprotected?: JWEHeaderParameters
    ciphertext: string
    tag: string
  }
  output: { compact?: string; json?: GeneralJWE | FlattenedJWE; json_flat?: FlattenedJWE }
}

export function loadJWEVector(relativePath: string): JWEVector {
  const path = join(vectorsDirectory(), relativePath)
  if (!existsSync(path)) {
    throw new Error(
      `vector ${path} not found: the RFC 7520 vectors live in ../shared/vectors/rfc7520 beside the repository ` +
        '(or set TESSERA_VECTORS to their directory)',
    )
  }
  const value = JSON.parse(readFileSync(path, 'utf8')) as JWEVector
  if (
    typeof value.input?.plaintext !== 'string' ||
    typeof value.encrypting_content?.ciphertext !== 'string'
  ) {
    throw new Error(`vector ${path} is not a JWE cookbook example`)
  }
  return value
}

export const JWE_VECTORS = {
  rsa1_5: 'jwe/5_1.key_encryption_using_rsa_v15_and_aes-hmac-sha2.json',
  rsaOaep: 'jwe/5_2.key_encryption_using_rsa-oaep_with_aes-gcm.json',
  pbes2: 'jwe/5_3.key_wrap_using_pbes2-aes-keywrap_with-aes-cbc-hmac-sha2.json',
  ecdhKw: 'jwe/5_4.key_agreement_with_key_wrapping_using_ecdh-es_and_aes-keywrap_with_aes-gcm.json',
  ecdhDirect: 'jwe/5_5.key_agreement_using_ecdh-es_with_aes-cbc-hmac-sha2.json',
  dir: 'jwe/5_6.direct_encryption_using_aes-gcm.json',
  gcmKw: 'jwe/5_7.key_wrap_using_aes-gcm_keywrap_with_aes-cbc-hmac-sha2.json',
  aesKw: 'jwe/5_8.key_wrap_using_aes-keywrap_with_aes-gcm.json',
  zip: 'jwe/5_9.compressed_content.json',
  aad: 'jwe/5_10.including_additional_authentication_data.json',
  protectSpecific: 'jwe/5_11.protecting_specific_header_fields.json',
  protectContentOnly: 'jwe/5_12.protecting_content_only.json',
  multiple: 'jwe/5_13.encrypting_to_multiple_recipients.json',
  x25519: 'curve25519/ecdh-es.json',
} as const

export interface NestingVector {
  sign: { input: { payload: string; key: JWK; alg: string }; output: { compact: string } }
  encrypt: {
    input: { plaintext: string; key: JWK; alg: string; enc: string }
    generated: { cek: string; iv: string }
    encrypting_content: { protected_b64u: string; ciphertext: string; tag: string }
    output: { compact: string; json: GeneralJWE; json_flat: FlattenedJWE }
  }
}

export function loadNestingVector(): NestingVector {
  const path = join(vectorsDirectory(), '6.nesting_signatures_and_encryption.json')
  if (!existsSync(path))
    throw new Error(`vector ${path} not found (set TESSERA_VECTORS to the vectors directory)`)
  return JSON.parse(readFileSync(path, 'utf8')) as NestingVector
}
