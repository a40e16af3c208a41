import { readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  calculateJwkThumbprint,
  exportJWK,
  exportPKCS8,
  exportSPKI,
  generateKeyPair,
  importJWK,
  importPKCS8,
  importX509,
  jwtVerify,
  SignJWT,
} from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildCli, tessera, workDir } from './helpers/cli.js'

// Keys and tokens cross between `tessera` (the built CLI, as a child process) and the `jose` package.
const work = workDir()
const file = (name: string) => join(work.path, name)

beforeAll(buildCli, 120_000)
afterAll(work.remove)

describe('keys made by tessera keys generate sign tokens jose verifies', () => {
  for (const alg of ['ES256', 'Ed25519', 'RS256', 'PS256', 'ES384'] as const) {
    it(alg, async () => {
      const generated = await tessera(
        ['keys', 'generate', '--alg', alg, '--out', file(`${alg}.json`), '--json'],
        {
          cwd: work.path,
        },
      )
      expect(generated.code).toBe(0)
      expect(statSync(file(`${alg}.json`)).mode & 0o777).toBe(0o600)
      const publicJwk = JSON.parse(readFileSync(file(`${alg}.pub.json`), 'utf8'))
      expect(publicJwk.d).toBeUndefined()
      expect(JSON.parse(generated.stdout).kid).toBe(await calculateJwkThumbprint(publicJwk))
      const derived = await tessera(['keys', 'public', '--json', '-'], {
        input: readFileSync(file(`${alg}.json`)),
      })
      expect(JSON.parse(derived.stdout)).toEqual(publicJwk)

      const signed = await tessera([
        'jwt',
        'sign',
        '--key',
        file(`${alg}.json`),
        '--iss',
        'https://auth.example',
        '--aud',
        'api',
        '--sub',
        'u-1',
        '--exp',
        '10m',
        '--jti',
      ])
      expect(signed.code).toBe(0)
      const token = signed.stdout.trim()
      // jose names Ed25519 "EdDSA" in its allowlist only when the header says so; the header says Ed25519.
      const key = await importJWK(publicJwk, alg)
      const { payload, protectedHeader } = await jwtVerify(token, key, {
        algorithms: [alg],
        issuer: 'https://auth.example',
        audience: 'api',
      })
      expect(payload.sub).toBe('u-1')
      expect(typeof payload.jti).toBe('string')
      expect((payload.exp as number) - (payload.iat as number)).toBe(600)
      expect(protectedHeader.kid).toBe(publicJwk.kid)
    })
  }

  it('an HMAC secret from keys generate signs HS256 tokens jose verifies', async () => {
    expect((await tessera(['keys', 'generate', '--alg', 'HS256', '--out', file('hmac.json')])).code).toBe(0)
    const jwk = JSON.parse(readFileSync(file('hmac.json'), 'utf8'))
    expect(Buffer.from(jwk.k, 'base64url')).toHaveLength(32)
    const signed = await tessera(['jwt', 'sign', '--key', file('hmac.json'), '--claims', '{"role":"ops"}'])
    const { payload } = await jwtVerify(signed.stdout.trim(), await importJWK(jwk, 'HS256'), {
      algorithms: ['HS256'],
    })
    expect(payload.role).toBe('ops')
  })
})

describe('tokens signed by jose verify and inspect correctly', () => {
  it('verifies with the public JWK, and refuses a wrong audience with the code and claim', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256')
    writeFileSync(file('jose.pub.json'), JSON.stringify({ ...(await exportJWK(publicKey)), alg: 'ES256' }))
    const token = await new SignJWT({ scope: 'read' })
      .setProtectedHeader({ alg: 'ES256', kid: 'jose-1' })
      .setIssuer('https://jose.example')
      .setAudience('api')
      .setIssuedAt()
      .setExpirationTime('14m')
      .sign(privateKey)

    const ok = await tessera(
      [
        'jwt',
        'verify',
        '-',
        '--key',
        file('jose.pub.json'),
        '--alg',
        'ES256',
        '--iss',
        'https://jose.example',
        '--aud',
        'api',
        '--json',
      ],
      { input: token },
    )
    expect(ok.code).toBe(0)
    expect(JSON.parse(ok.stdout)).toMatchObject({
      valid: true,
      payload: { scope: 'read' },
      protectedHeader: { kid: 'jose-1' },
    })

    const wrong = await tessera([
      'jwt',
      'verify',
      token,
      '--key',
      file('jose.pub.json'),
      '--alg',
      'ES256',
      '--aud',
      'other',
    ])
    expect(wrong.code).toBe(1)
    expect(wrong.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^tessera: invalid token: ERR_JWT_AUDIENCE_MISMATCH \(aud\): /),
    ])

    const inspected = await tessera(['jwt', 'inspect', token])
    expect(inspected.code).toBe(0)
    expect(inspected.stdout).toMatch(/exp {2}\S+ {2}expires in 1[34] min/)
    expect(inspected.stdout).toContain('"scope": "read"')
  })

  it('reports an expired jose token as "expired 3 h ago" and refuses it with ERR_JWT_EXPIRED', async () => {
    const { privateKey, publicKey } = await generateKeyPair('Ed25519')
    writeFileSync(file('ed.pub.json'), JSON.stringify(await exportJWK(publicKey)))
    const now = Math.floor(Date.now() / 1000)
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'EdDSA' })
      .setIssuedAt(now - 4 * 3600)
      .setExpirationTime(now - 3 * 3600 - 60)
      .sign(privateKey)
    const inspected = await tessera(['jwt', 'inspect', '--json', token])
    expect(JSON.parse(inspected.stdout).times.exp.relative).toBe('expired 3 h ago')
    const verified = await tessera(['jwt', 'verify', token, '--key', file('ed.pub.json'), '--alg', 'EdDSA'])
    expect(verified.code).toBe(1)
    expect(verified.stderr).toContain('ERR_JWT_EXPIRED (exp)')
  })
})

describe('keys convert agrees with jose both ways', () => {
  it('PKCS#8 and SPKI PEM from jose become the same JWK, and back', async () => {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true })
    writeFileSync(file('rsa.p8.pem'), await exportPKCS8(privateKey))
    writeFileSync(file('rsa.spki.pem'), await exportSPKI(publicKey))
    const fromPrivate = await tessera(['keys', 'convert', file('rsa.p8.pem'), '--alg', 'RS256', '--json'])
    const fromPublic = await tessera(['keys', 'convert', file('rsa.spki.pem'), '--json'])
    const joseJwk = await exportJWK(privateKey)
    expect(JSON.parse(fromPrivate.stdout)).toMatchObject({ ...joseJwk, alg: 'RS256' })
    expect(JSON.parse(fromPublic.stdout)).toEqual({ kty: 'RSA', n: joseJwk.n, e: joseJwk.e })

    writeFileSync(file('rsa.jwk.json'), fromPrivate.stdout)
    const backToPem = await tessera([
      'keys',
      'convert',
      file('rsa.jwk.json'),
      '--to',
      'pem',
      '--out',
      file('rsa.back.pem'),
    ])
    expect(backToPem.code).toBe(0)
    expect(statSync(file('rsa.back.pem')).mode & 0o777).toBe(0o600)
    const back = await importPKCS8(readFileSync(file('rsa.back.pem'), 'utf8'), 'RS256', { extractable: true })
    expect(await exportJWK(back)).toEqual(joseJwk)
    const spki = await tessera(['keys', 'convert', file('rsa.jwk.json'), '--to', 'pem', '--public'])
    expect(spki.stdout.trim()).toBe((await exportSPKI(publicKey)).trim())
  })

  it('an X.509 certificate becomes the JWK of its public key', async () => {
    const cert = readFileSync(new URL('fixtures/cert.pem', import.meta.url), 'utf8')
    const converted = await tessera(['keys', 'convert', '-', '--to', 'jwk', '--json'], { input: cert })
    expect(converted.code).toBe(0)
    const expected = await exportJWK(await importX509(cert, 'ES256', { extractable: true }))
    expect(JSON.parse(converted.stdout)).toEqual(expected)
    const thumbprint = await tessera(['keys', 'thumbprint', '-', '--uri'], { input: cert })
    expect(thumbprint.stdout.trim()).toBe(
      `urn:ietf:params:oauth:jwk-thumbprint:sha-256:${await calculateJwkThumbprint(expected)}`,
    )
  })
})

describe('JWS and JWE cross the boundary', () => {
  it('a nested JWT: tessera signs and encrypts, tessera decrypts and verifies; jose reads the inner JWS', async () => {
    await tessera(['keys', 'generate', '--alg', 'RSA-OAEP-256', '--out', file('enc.json')])
    await tessera(['keys', 'generate', '--alg', 'ES256', '--out', file('iss.json')])
    const signed = await tessera([
      'jwt',
      'sign',
      '--key',
      file('iss.json'),
      '--iss',
      'https://issuer.example',
      '--claims',
      '{"patient":"p-42"}',
    ])
    const encrypted = await tessera(['jwe', 'encrypt', '--key', file('enc.pub.json')], {
      input: signed.stdout,
    })
    expect(encrypted.stdout.trim().split('.')).toHaveLength(5)
    const nested = await tessera(
      [
        'jwe',
        'decrypt',
        '--key',
        file('enc.json'),
        '--alg',
        'RSA-OAEP-256',
        '--enc',
        'A256GCM',
        '--verify-key',
        file('iss.pub.json'),
        '--verify-alg',
        'ES256',
        '--iss',
        'https://issuer.example',
        '--json',
      ],
      { input: encrypted.stdout },
    )
    expect(nested.code).toBe(0)
    expect(JSON.parse(nested.stdout)).toMatchObject({
      valid: true,
      encryptionHeader: { cty: 'JWT' },
      payload: { patient: 'p-42' },
    })

    const plain = await tessera(
      ['jwe', 'decrypt', '--key', file('enc.json'), '--alg', 'RSA-OAEP-256', '--enc', 'A256GCM'],
      { input: encrypted.stdout },
    )
    const inner = plain.stdout.trim()
    const issuerKey = await importJWK(JSON.parse(readFileSync(file('iss.pub.json'), 'utf8')), 'ES256')
    expect((await jwtVerify(inner, issuerKey, { algorithms: ['ES256'] })).payload.patient).toBe('p-42')

    // The decrypt allowlists are required and enforced.
    const refused = await tessera(
      ['jwe', 'decrypt', '--key', file('enc.json'), '--alg', 'ECDH-ES', '--enc', 'A256GCM'],
      { input: encrypted.stdout },
    )
    expect(refused.code).not.toBe(0)
    const missing = await tessera(['jwe', 'decrypt', '--key', file('enc.json'), '--enc', 'A256GCM'], {
      input: encrypted.stdout,
    })
    expect(missing.code).toBe(2)
  })

  it('jws sign output verifies with jose compactVerify', async () => {
    const { compactVerify } = await import('jose')
    const signed = await tessera(['jws', 'sign', '--key', file('ES256.json')], { input: 'hello, jose' })
    const key = await importJWK(JSON.parse(readFileSync(file('ES256.pub.json'), 'utf8')), 'ES256')
    const { payload } = await compactVerify(signed.stdout.trim(), key, { algorithms: ['ES256'] })
    expect(new TextDecoder().decode(payload)).toBe('hello, jose')
    const verified = await tessera(['jws', 'verify', '--key', file('ES256.pub.json'), '--alg', 'ES256'], {
      input: signed.stdout,
    })
    expect(verified).toMatchObject({ code: 0, stdout: 'hello, jose' })
  })

  it('jws sign --flattened: JSON that jose flattenedVerify and tessera jws verify accept', async () => {
    const { flattenedVerify } = await import('jose')
    const signed = await tessera(['jws', 'sign', '--key', file('ES256.json'), '--flattened'], {
      input: '{"doc":1}',
    })
    expect(signed.code).toBe(0)
    const jws = JSON.parse(signed.stdout)
    expect(Object.keys(jws).sort()).toEqual(['payload', 'protected', 'signature'])
    expect(jws.payload).toBe(Buffer.from('{"doc":1}').toString('base64url'))
    const key = await importJWK(JSON.parse(readFileSync(file('ES256.pub.json'), 'utf8')), 'ES256')
    const { payload, protectedHeader } = await flattenedVerify(jws, key, { algorithms: ['ES256'] })
    expect(new TextDecoder().decode(payload)).toBe('{"doc":1}')
    expect(protectedHeader?.alg).toBe('ES256')
    const verify = ['jws', 'verify', '--key', file('ES256.pub.json'), '--alg', 'ES256']
    expect(await tessera(verify, { input: signed.stdout })).toMatchObject({ code: 0, stdout: '{"doc":1}' })
    // One changed payload byte: exit 1 with the reason, nothing on stdout.
    const tampered = JSON.stringify({ ...jws, payload: Buffer.from('{"doc":2}').toString('base64url') })
    const refused = await tessera(verify, { input: tampered })
    expect(refused).toMatchObject({ code: 1, stdout: '' })
    expect(refused.stderr).toMatch(/^tessera: invalid JWS: /)
  })

  it('jws sign --detached (compact and flattened): the payload stays out, and verifies only with it', async () => {
    const { compactVerify, flattenedVerify } = await import('jose')
    writeFileSync(file('contract.txt'), 'the signed contract')
    const encoded = Buffer.from('the signed contract').toString('base64url')
    const key = await importJWK(JSON.parse(readFileSync(file('ES256.pub.json'), 'utf8')), 'ES256')
    const verify = (input: string, detached: string) =>
      tessera(
        ['jws', 'verify', '--key', file('ES256.pub.json'), '--alg', 'ES256', '--detached-payload', detached],
        {
          input,
        },
      )

    const compact = await tessera([
      'jws',
      'sign',
      '--key',
      file('ES256.json'),
      '--in',
      file('contract.txt'),
      '--detached',
    ])
    const [header, middle, signature] = compact.stdout.trim().split('.')
    expect(middle).toBe('')
    // RFC 7515 Appendix F: put the payload back and it is an ordinary JWS.
    const whole = await compactVerify(`${header}.${encoded}.${signature}`, key, { algorithms: ['ES256'] })
    expect(new TextDecoder().decode(whole.payload)).toBe('the signed contract')
    expect(await verify(compact.stdout, file('contract.txt'))).toMatchObject({
      code: 0,
      stdout: 'the signed contract',
    })

    const flattened = await tessera([
      ...['jws', 'sign', '--key', file('ES256.json'), '--in', file('contract.txt')],
      ...['--flattened', '--detached'],
    ])
    const jws = JSON.parse(flattened.stdout)
    expect(jws.payload).toBeUndefined()
    const rebuilt = await flattenedVerify({ ...jws, payload: encoded }, key, { algorithms: ['ES256'] })
    expect(new TextDecoder().decode(rebuilt.payload)).toBe('the signed contract')
    expect(await verify(flattened.stdout, file('contract.txt'))).toMatchObject({ code: 0 })

    // Another payload, or none at all, does not verify.
    writeFileSync(file('forged.txt'), 'the forged contract')
    for (const input of [compact.stdout, flattened.stdout]) {
      expect(await verify(input, file('forged.txt'))).toMatchObject({ code: 1, stdout: '' })
      const without = await tessera(['jws', 'verify', '--key', file('ES256.pub.json'), '--alg', 'ES256'], {
        input,
      })
      expect(without.code).toBe(1)
    }
  })
})
