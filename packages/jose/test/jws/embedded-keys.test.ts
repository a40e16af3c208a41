/**
 * A token may carry `jwk`, `jku`, `x5u` or `x5c` headers naming the key that signed it. Trusting them
 * lets anyone sign with their own key (CVE-2018-0114 and many since). They are data to us: never used
 * to verify, never fetched.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  compactVerify,
  createJWTVerifier,
  decodeProtectedHeader,
  exportJWK,
  flattenedVerify,
  generalVerify,
  importPEM,
  type KeyInput,
  unsafeDecodeJWT,
  verifyJWT,
  verifyJWTSync,
} from '../../src/index.js'
import { forge } from '../helpers/hostile-tokens.js'
import { keyPairFor, secretFor } from '../helpers/unit-keys.js'

const claims = { sub: 'admin', exp: 4102444800 }
const invalid = { code: 'ERR_JWS_SIGNATURE_INVALID' }

let server: Server
let requests = 0
let base = ''

beforeAll(async () => {
  const attacker = await keyPairFor('ES256', 'attacker')
  const jwks = JSON.stringify({ keys: [await exportJWK(attacker.publicKey)] })
  server = createServer((_request, response) => {
    requests++
    response.writeHead(200, { 'content-type': 'application/json' })
    response.end(jwks)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve))
})

async function allVerifiersRefuse(token: string, key: KeyInput, alg: string) {
  const options = { algorithms: [alg] }
  await expect(verifyJWT(token, key, options)).rejects.toMatchObject(invalid)
  expect(() => verifyJWTSync(token, key, options)).toThrow(expect.objectContaining(invalid))
  await expect(compactVerify(token, key, options)).rejects.toMatchObject(invalid)
  await expect(createJWTVerifier({ key, ...options })(token)).rejects.toMatchObject(invalid)
  const [p, payload, signature] = token.split('.') as [string, string, string]
  await expect(flattenedVerify({ protected: p, payload, signature }, key, options)).rejects.toMatchObject(
    invalid,
  )
  await expect(
    generalVerify({ payload, signatures: [{ protected: p, signature }] }, key, options),
  ).rejects.toMatchObject(invalid)
}

describe('embedded key headers', () => {
  it.each(['ES256', 'Ed25519', 'RS256'])(
    'a %s token signed by the key in its own jwk header fails',
    async (alg) => {
      const legitimate = await keyPairFor(alg)
      const attacker = await keyPairFor(alg, 'attacker')
      const token = forge({ alg, jwk: await exportJWK(attacker.publicKey) }, claims, attacker.privateKey)
      await allVerifiersRefuse(token, legitimate.publicKey, alg)
    },
  )

  it('an HS256 token carrying its own oct key in jwk fails', async () => {
    const attackerSecret = secretFor('HS512').toKeyObject().export()
    const token = forge(
      { alg: 'HS256', jwk: { kty: 'oct', k: attackerSecret.toString('base64url') } },
      claims,
      new Uint8Array(attackerSecret),
    )
    await allVerifiersRefuse(token, secretFor('HS256'), 'HS256')
  })

  it('a token carrying an attacker certificate chain in x5c fails', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-x5c-'))
    try {
      const keyFile = join(dir, 'attacker.key')
      const certFile = join(dir, 'attacker.crt')
      execFileSync(
        '/usr/bin/openssl',
        ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', keyFile],
        {
          stdio: 'pipe',
        },
      )
      execFileSync(
        '/usr/bin/openssl',
        [
          'req',
          '-new',
          '-x509',
          '-key',
          keyFile,
          '-out',
          certFile,
          '-days',
          '1',
          '-subj',
          '/CN=trusted.example',
        ],
        { stdio: 'pipe' },
      )
      const cert = readFileSync(certFile, 'utf8')
      const x5c = [cert.replace(/-----[A-Z ]+-----|\s/g, '')]
      const attackerKey = await importPEM(readFileSync(keyFile, 'utf8'), 'ES256')
      const token = forge({ alg: 'ES256', x5c }, claims, attackerKey)
      // The token is genuinely signed by the certificate's key: only trusting x5c would accept it.
      await expect(
        verifyJWT(token, await importPEM(cert, 'ES256'), { algorithms: ['ES256'] }),
      ).resolves.toBeDefined()
      await allVerifiersRefuse(token, (await keyPairFor('ES256')).publicKey, 'ES256')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('jku and x5u are never fetched, whether the token verifies or not', async () => {
    const legitimate = await keyPairFor('ES256')
    const attacker = await keyPairFor('ES256', 'attacker')
    const headers = { alg: 'ES256', jku: `${base}/jwks.json`, x5u: `${base}/cert.pem`, kid: 'attacker' }
    const forged = forge(headers, claims, attacker.privateKey)
    await allVerifiersRefuse(forged, legitimate.publicKey, 'ES256')
    const genuine = forge(headers, claims, legitimate.privateKey)
    await expect(verifyJWT(genuine, legitimate.publicKey, { algorithms: ['ES256'] })).resolves.toMatchObject({
      protectedHeader: headers,
    })
    const seen: unknown[] = []
    await expect(
      verifyJWT(
        forged,
        (header) => {
          seen.push(header.jku)
          return legitimate.publicKey
        },
        { algorithms: ['ES256'] },
      ),
    ).rejects.toMatchObject(invalid)
    expect(seen).toEqual([headers.jku])
    decodeProtectedHeader(forged)
    unsafeDecodeJWT(forged)
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(requests).toBe(0)
    // The counter works: a request we make ourselves is counted.
    await (await fetch(`${base}/jwks.json`)).text()
    expect(requests).toBe(1)
    requests = 0
  })
})
