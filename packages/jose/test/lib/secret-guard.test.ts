import { Buffer } from 'node:buffer'
import { execFileSync } from 'node:child_process'
import { createSecretKey, generateKeyPairSync, type KeyObject, randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { compactVerify, createLocalJWKSet, importJWK, importSecret, Key } from '../../src/index.js'

/*
 * 1. The asymmetric-material guard tried six OpenSSL parsers at every offset holding something shaped
 *    like a DER SEQUENCE. Whoever chooses a secret (an `oct` member of a client's inline JWK set, a
 *    tenant-registered secret) could pack one such decoy every 4 bytes: 10 KB cost seconds of blocked
 *    event loop, 100 KB nearly a minute. The guard now gives up after a fixed number of candidates
 *    and refuses the secret (fail closed): honest secrets never come near the budget.
 * 2. `Key` is exported (for instanceof), and its constructor ran no guard: `new Key(createSecretKey(
 *    publicPem))` was an HMAC key made of a public key's text — CVE-2015-9235 through the public API.
 *    The guard now runs in the constructor, for every secret however it was made.
 */
// SEQUENCE { INTEGER (32 bytes) }: well-formed DER that no key parser accepts, one every 36 bytes.
function decoys(length: number): Buffer {
  const bytes = Buffer.alloc(length)
  for (let i = 0; i + 36 <= length; i += 36) bytes.set([0x30, 0x22, 0x02, 0x20], i)
  return bytes
}

// A SEQUENCE header every 4 bytes whose contents are not a chain of TLVs: no parser can accept them.
function malformedDecoys(length: number): Buffer {
  const bytes = Buffer.alloc(length)
  for (let i = 0; i + 4 <= length; i += 4) bytes.set([0x30, 0x22, 0x02, 0x01], i)
  return bytes
}

describe('secret guard cost is bounded', () => {
  it('a secret packed with DER-shaped decoys is refused quickly (ERR_KEY_INVALID)', () => {
    const started = performance.now()
    expect(() => importSecret(decoys(64 * 1024), 'HS256')).toThrow(
      expect.objectContaining({ code: 'ERR_KEY_INVALID' }),
    )
    expect(performance.now() - started).toBeLessThan(1500)
  })

  it('malformed SEQUENCE headers are skipped without calling OpenSSL (was seconds per 16 KB)', () => {
    const started = performance.now()
    expect(importSecret(malformedDecoys(16 * 1024), 'HS256').kty).toBe('oct')
    expect(performance.now() - started).toBeLessThan(1500)
  })

  it('the same decoys as an oct JWK, and inside a local JWK set, fail fast', async () => {
    const k = decoys(64 * 1024).toString('base64url')
    const started = performance.now()
    await expect(importJWK({ kty: 'oct', k }, 'HS256')).rejects.toMatchObject({ code: 'ERR_KEY_INVALID' })
    const jwks = createLocalJWKSet({ keys: [{ kty: 'oct', k, kid: 'x' }] })
    const token = `${Buffer.from('{"alg":"HS256","kid":"x"}').toString('base64url')}.e30.${'A'.repeat(43)}`
    await expect(compactVerify(token, jwks, { algorithms: ['HS256'] })).rejects.toMatchObject({
      code: 'ERR_JWKS_NO_MATCHING_KEY',
    })
    expect(performance.now() - started).toBeLessThan(3000)
  })

  it('a real public key hidden behind decoys is still refused', () => {
    const der = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({
      type: 'spki',
      format: 'der',
    })
    expect(() => importSecret(Buffer.concat([decoys(4096), der]), 'HS256')).toThrow(
      expect.objectContaining({ code: expect.stringMatching(/^ERR_KEY_(INVALID|ASYMMETRIC_AS_SECRET)$/) }),
    )
  })

  it('honest secrets are unaffected', () => {
    for (let i = 0; i < 50; i++) expect(importSecret(randomBytes(64), 'HS512').bits).toBe(512)
    const passphrase = 'correct horse battery staple 2020-10-05 0a0b0c0d '.repeat(20)
    expect(importSecret(passphrase, 'HS256').kty).toBe('oct')
  })
})

describe('the Key constructor cannot skip the guard', () => {
  const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({
    type: 'spki',
    format: 'pem',
  }) as string

  it('new Key(secret KeyObject of a public PEM) is refused', () => {
    expect(() => new Key(createSecretKey(Buffer.from(pem)))).toThrow(
      expect.objectContaining({ code: 'ERR_KEY_ASYMMETRIC_AS_SECRET' }),
    )
  })

  it('new Key with an honest secret still works', () => {
    expect(new Key(createSecretKey(randomBytes(32))).kty).toBe('oct')
  })
})

describe('the DER pre-filter weakens nothing: every key container is still refused', () => {
  const pairs: Array<[string, { publicKey: KeyObject; privateKey: KeyObject }]> = [
    ['rsa', generateKeyPairSync('rsa', { modulusLength: 2048 })],
    ['ec', generateKeyPairSync('ec', { namedCurve: 'P-256' })],
    ['ed25519', generateKeyPairSync('ed25519')],
    ['ed448', generateKeyPairSync('ed448')],
    ['x25519', generateKeyPairSync('x25519')],
    ['x448', generateKeyPairSync('x448')],
  ]
  const containers: Array<[string, Buffer]> = []
  for (const [name, { publicKey, privateKey }] of pairs) {
    containers.push([`${name} spki`, publicKey.export({ type: 'spki', format: 'der' })])
    containers.push([`${name} pkcs8`, privateKey.export({ type: 'pkcs8', format: 'der' })])
  }
  const [, rsa] = pairs[0] as (typeof pairs)[number]
  const [, ec] = pairs[1] as (typeof pairs)[number]
  containers.push(['rsa pkcs1 public', rsa.publicKey.export({ type: 'pkcs1', format: 'der' })])
  containers.push(['rsa pkcs1 private', rsa.privateKey.export({ type: 'pkcs1', format: 'der' })])
  containers.push(['ec sec1', ec.privateKey.export({ type: 'sec1', format: 'der' })])
  const dir = mkdtempSync(join(tmpdir(), 'tessera-guard-'))
  try {
    const keyFile = join(dir, 'key.pem')
    const certFile = join(dir, 'cert.der')
    execFileSync('openssl', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', keyFile])
    execFileSync('openssl', [
      'req',
      '-new',
      '-x509',
      '-key',
      keyFile,
      '-subj',
      '/CN=t',
      '-days',
      '1',
      '-outform',
      'DER',
      '-out',
      certFile,
    ])
    containers.push(['x509 certificate', readFileSync(certFile)])
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }

  it.each(containers)('%s, bare and behind junk bytes', (_name, der) => {
    for (const secret of [der, Buffer.concat([randomBytes(7), der, randomBytes(5)])]) {
      expect(() => importSecret(secret, 'HS256')).toThrow(
        expect.objectContaining({ code: 'ERR_KEY_ASYMMETRIC_AS_SECRET' }),
      )
    }
  })
})
