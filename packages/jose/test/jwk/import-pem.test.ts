import { execFileSync } from 'node:child_process'
import { generateKeyPairSync } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { compactSign, compactVerify, exportJWK, importPEM } from '../../src/index.js'
import { ASYMMETRIC_ALGS, keyPairFor } from '../helpers/unit-keys.js'

function pemsOf(alg: string) {
  return keyPairFor(alg).then(({ privateKey, publicKey }) => ({
    spki: publicKey.toKeyObject().export({ format: 'pem', type: 'spki' }) as string,
    pkcs8: privateKey.toKeyObject().export({ format: 'pem', type: 'pkcs8' }) as string,
  }))
}

describe('importPEM', () => {
  it.each(ASYMMETRIC_ALGS)('imports %s SPKI and PKCS#8 PEM that sign and verify together', async (alg) => {
    const { spki, pkcs8 } = await pemsOf(alg)
    const privateKey = await importPEM(pkcs8, alg)
    const publicKey = await importPEM(spki, alg, { kid: 'pem-key', use: 'sig' })
    expect(privateKey).toMatchObject({ type: 'private', alg })
    expect(publicKey).toMatchObject({ type: 'public', alg, kid: 'pem-key', use: 'sig' })
    expect(await exportJWK(publicKey)).toMatchObject(await exportJWK((await keyPairFor(alg)).publicKey))
    const jws = await compactSign('pem', privateKey, { alg })
    await expect(compactVerify(jws, publicKey, { algorithms: [alg] })).resolves.toBeDefined()
  })

  it('accepts PEM with surrounding whitespace and CRLF line ends', async () => {
    const { spki } = await pemsOf('ES256')
    await expect(importPEM(`\n  ${spki.replace(/\n/g, '\r\n')}  \n`, 'ES256')).resolves.toMatchObject({
      crv: 'P-256',
    })
  })

  it('refuses RSA keys below 2048 bits', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 })
    const spki = publicKey.export({ format: 'pem', type: 'spki' }) as string
    const pkcs8 = privateKey.export({ format: 'pem', type: 'pkcs8' }) as string
    await expect(importPEM(spki, 'RS256')).rejects.toMatchObject({ code: 'ERR_KEY_TOO_SHORT' })
    await expect(importPEM(pkcs8, 'PS256')).rejects.toMatchObject({ code: 'ERR_KEY_TOO_SHORT' })
  })

  it.each([
    ['ES256', 'RS256'],
    ['ES256', 'ES384'],
    ['RS256', 'HS256'],
    ['Ed448', 'Ed25519'],
  ] as const)('refuses a %s key for %s', async (keyAlg, alg) => {
    const { spki } = await pemsOf(keyAlg)
    await expect(importPEM(spki, alg)).rejects.toMatchObject({ code: 'ERR_KEY_ALG_MISMATCH' })
  })

  it('refuses an X25519 key for EdDSA', async () => {
    const spki = generateKeyPairSync('x25519').publicKey.export({ format: 'pem', type: 'spki' }) as string
    await expect(importPEM(spki, 'EdDSA')).rejects.toMatchObject({ code: 'ERR_KEY_ALG_MISMATCH' })
  })

  it('refuses a PKCS#1 RSA key, an encrypted PKCS#8 key and non-PEM text', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const pkcs1 = privateKey.export({ format: 'pem', type: 'pkcs1' }) as string
    const encrypted = privateKey.export({
      format: 'pem',
      type: 'pkcs8',
      cipher: 'aes-256-cbc',
      passphrase: 'secret',
    }) as string
    await expect(importPEM(pkcs1, 'RS256')).rejects.toMatchObject({ code: 'ERR_KEY_INVALID' })
    await expect(importPEM(encrypted, 'RS256')).rejects.toMatchObject({ code: 'ERR_KEY_INVALID' })
    await expect(importPEM('not a pem', 'RS256')).rejects.toMatchObject({ code: 'ERR_KEY_INVALID' })
    await expect(
      importPEM('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n', 'RS256'),
    ).rejects.toMatchObject({
      code: 'ERR_KEY_INVALID',
    })
  })

  it('refuses arguments of the wrong type', async () => {
    await expect(importPEM(42 as unknown as string, 'RS256')).rejects.toThrow(/"pem"/)
    const { spki } = await pemsOf('ES256')
    await expect(importPEM(spki, undefined as unknown as string)).rejects.toThrow(/"alg"/)
  })
})

describe('importPEM with an X.509 certificate made by openssl', () => {
  let dir: string
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tessera-pem-'))
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  function selfSigned(keyArgs: string[]): { cert: string; key: string } {
    const keyFile = join(dir, `${keyArgs.join('-').replace(/[^\w-]/g, '')}.key`)
    const certFile = `${keyFile}.crt`
    execFileSync('/usr/bin/openssl', ['genpkey', ...keyArgs, '-out', keyFile], { stdio: 'pipe' })
    execFileSync(
      '/usr/bin/openssl',
      ['req', '-new', '-x509', '-key', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=tessera.test'],
      { stdio: 'pipe' },
    )
    return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') }
  }

  it.each([
    ['ES256', ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256']],
    ['RS256', ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048']],
    ['Ed25519', ['-algorithm', 'ED25519']],
  ] as const)('takes the %s public key from a certificate', async (alg, keyArgs) => {
    const { cert, key } = selfSigned([...keyArgs])
    expect(cert).toContain('-----BEGIN CERTIFICATE-----')
    const publicKey = await importPEM(cert, alg)
    expect(publicKey.type).toBe('public')
    const privateKey = await importPEM(key, alg)
    const jws = await compactSign('cert', privateKey, { alg })
    await expect(compactVerify(jws, publicKey, { algorithms: [alg] })).resolves.toBeDefined()
  })

  it('refuses a certificate whose key does not fit the algorithm, and a corrupt certificate', async () => {
    const { cert } = selfSigned(['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384'])
    await expect(importPEM(cert, 'ES256')).rejects.toMatchObject({ code: 'ERR_KEY_ALG_MISMATCH' })
    const corrupt = cert.replace(/\n[A-Za-z0-9+/]{10}/, '\nAAAAAAAAAA')
    await expect(importPEM(corrupt, 'ES384')).rejects.toMatchObject({ code: 'ERR_KEY_INVALID' })
  })
})
