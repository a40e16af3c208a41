import { Buffer } from 'node:buffer'
import { execFileSync } from 'node:child_process'
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { compactSign, importKeyObject, importPEM } from '../../src/index.js'

/*
 * EC keys that OpenSSL parses from DER/PEM but that are no keys at all:
 * - a private scalar d = 0 or d >= n (d = n + 1 is the key "1", public key G: anyone can sign). The
 *   JWK path refused these; PEM, KeyObject and CryptoKey inputs did not, and signed with them.
 * - a public key at the point at infinity (SPKI BIT STRING 00). node:crypto accepts it, then ABORTS
 *   THE PROCESS (a C++ assertion) as soon as anyone reads asymmetricKeyDetails or exports it as a JWK,
 *   which Key construction did: one hostile PEM or certificate took the whole server down.
 * Both are refused with ERR_KEY_INVALID before any such call.
 */
const P256_ORDER = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551')
const P256_OID = [0xa0, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07]

function sec1WithScalar(d: bigint): KeyObject {
  const scalar = Buffer.from(d.toString(16).padStart(64, '0'), 'hex')
  const body = Buffer.concat([Buffer.from([0x02, 0x01, 0x01, 0x04, 0x20]), scalar, Buffer.from(P256_OID)])
  const der = Buffer.concat([Buffer.from([0x30, body.length]), body])
  return createPrivateKey({ key: der, format: 'der', type: 'sec1' })
}

describe('EC private scalars outside [1, n-1]', () => {
  it.each([
    ['0', 0n],
    ['n', P256_ORDER],
    ['n + 1', P256_ORDER + 1n],
  ])('d = %s is refused via KeyObject, PEM and as a signing key', async (_name, d) => {
    const handle = sec1WithScalar(d)
    expect(() => importKeyObject(handle, 'ES256')).toThrow(
      expect.objectContaining({ code: 'ERR_KEY_INVALID' }),
    )
    const pem = handle.export({ type: 'pkcs8', format: 'pem' }) as string
    await expect(importPEM(pem, 'ES256')).rejects.toMatchObject({ code: 'ERR_KEY_INVALID' })
    await expect(compactSign('x', handle, { alg: 'ES256' })).rejects.toMatchObject({
      code: 'ERR_KEY_INVALID',
    })
  })

  it('d = 1 and d = n - 1 (valid, if silly) are accepted', () => {
    expect(importKeyObject(sec1WithScalar(1n), 'ES256').crv).toBe('P-256')
    expect(importKeyObject(sec1WithScalar(P256_ORDER - 1n), 'ES256').crv).toBe('P-256')
  })
})

describe('EC public key at infinity', () => {
  // SEQUENCE { AlgorithmIdentifier { id-ecPublicKey, prime256v1 }, BIT STRING { 00 } }
  const spki = Buffer.from('3019301306072a8648ce3d020106082a8648ce3d03010703020000', 'hex')
  const pem = `-----BEGIN PUBLIC KEY-----\n${spki.toString('base64')}\n-----END PUBLIC KEY-----\n`

  it('importPEM refuses it instead of aborting the process', async () => {
    await expect(importPEM(pem, 'ES256')).rejects.toMatchObject({ code: 'ERR_KEY_INVALID' })
  })

  it('a KeyObject of it is refused by importKeyObject and by verify functions', async () => {
    const handle = createPublicKey({ key: spki, format: 'der', type: 'spki' })
    expect(() => importKeyObject(handle)).toThrow(expect.objectContaining({ code: 'ERR_KEY_INVALID' }))
  })
})

/** A real self-signed P-256 certificate whose subjectPublicKeyInfo is replaced by `spki` (signature left stale). */
function certificateWithKey(spki: Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-cert-'))
  let der: Buffer
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
    der = readFileSync(certFile)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  const read = (offset: number) => {
    let length = der[offset + 1] as number
    let header = 2
    if (length & 0x80) {
      const n = length & 0x7f
      length = 0
      for (let i = 0; i < n; i++) length = length * 256 + (der[offset + 2 + i] as number)
      header = 2 + n
    }
    return { body: offset + header, end: offset + header + length }
  }
  const children = (start: number, end: number) => {
    const out: Buffer[] = []
    for (let offset = start; offset < end; offset = read(offset).end)
      out.push(der.subarray(offset, read(offset).end))
    return out
  }
  const sequence = (parts: Buffer[]) => {
    const body = Buffer.concat(parts)
    const n = body.length
    const length = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff]
    return Buffer.concat([Buffer.from([0x30, ...length]), body])
  }
  const certificate = read(0)
  const tbs = read(certificate.body)
  const members = children(tbs.body, tbs.end)
  const ecPublicKey = Buffer.from('2a8648ce3d0201', 'hex')
  const index = members.findIndex((member) => member[0] === 0x30 && member.includes(ecPublicKey))
  members[index] = spki
  const forged = sequence([sequence(members), ...children(tbs.end, certificate.end)])
  return `-----BEGIN CERTIFICATE-----\n${forged.toString('base64')}\n-----END CERTIFICATE-----\n`
}

describe('a certificate carrying the point at infinity', () => {
  it('importPEM refuses it instead of aborting the process', async () => {
    const spki = Buffer.from('3019301306072a8648ce3d020106082a8648ce3d03010703020000', 'hex')
    await expect(importPEM(certificateWithKey(spki), 'ES256')).rejects.toMatchObject({
      code: 'ERR_KEY_INVALID',
    })
  })
})
