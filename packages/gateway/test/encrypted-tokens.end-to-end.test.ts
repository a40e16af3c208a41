import { generateKeyPairSync } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  compactEncrypt,
  encryptJWT,
  exportJWK,
  generateKeyPair,
  importJWK,
  signThenEncryptJWT,
  compactDecrypt as tesseraDecrypt,
} from '@tessera/jose'
import * as jose from 'jose'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { readRawSettings } from '../src/cli/parse-settings.js'
import { createTokenVerifier, parseSettings } from '../src/index.js'
import { CONNACK } from '../src/mqtt/connack.js'
import {
  ADMIN_TOKEN,
  registerClient,
  startAuthority,
  type TestAuthority,
  type TestClient,
  tempDir,
} from './helpers/authority.js'
import { startGateway } from './helpers/gateway.js'
import { startLocalIssuer } from './helpers/local-issuer.js'
import { startUpstream, type TestUpstream } from './helpers/upstream.js'
import { refusedWith } from './mqtt/helpers.js'

// Issue 18: the authority encrypts a resource's access tokens to the key registered for it; the
// gateway, given that key (--decryption-key), decrypts, verifies and forwards the identity. Wrong
// key, tampered tag, and the wrong token form get the RFC 6750 answer.

const API = 'https://api.example/orders'
const PLAIN = 'https://api.example/plain'
const REALM = `Bearer realm="${API}"`
const invalid = (description: string) => `${REALM}, error="invalid_token", error_description="${description}"`

const dir = tempDir()
let authority: TestAuthority
let upstream: TestUpstream
let client: TestClient
let resourceKey: Awaited<ReturnType<typeof generateKeyPair>>
let keyFiles: string[]

async function tokenFor(resource: string): Promise<string> {
  const response = await fetch(`${authority.url}/oauth/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'orders:read', resource }),
  })
  expect(response.status).toBe(200)
  return ((await response.json()) as { access_token: string }).access_token
}

/** A gateway started from CLI flags, as an operator would. */
async function gatewayWith(...flags: string[]) {
  const argv = [
    ...['--issuer', authority.issuer, '--audience', `${API},${PLAIN}`, '--upstream', upstream.url],
    ...['--port', '0', '--allow-insecure-http', '--log-level', 'silent', '--typ', 'at+jwt', ...flags],
  ]
  return startGateway(parseSettings(readRawSettings(argv, {}), {}))
}

async function unbound(key: Parameters<typeof exportJWK>[0]) {
  const { alg: _alg, ...jwk } = await exportJWK(key)
  return importJWK(jwk)
}

const call = (url: string, token: string) =>
  fetch(`${url}/echo`, { headers: { authorization: `Bearer ${token}` } })

beforeAll(async () => {
  authority = await startAuthority(dir.path)
  upstream = await startUpstream()
  resourceKey = await generateKeyPair('ECDH-ES+A256KW')
  const publicJwk = { ...(await exportJWK(resourceKey.publicKey)), use: 'enc', kid: 'orders-2026' }
  const registered = await fetch(`${authority.url}/admin/resources`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ resource: API, name: 'Orders', jwks: { keys: [publicJwk] } }),
  })
  expect(registered.status).toBe(201)
  client = await registerClient(authority.url, { scope: 'orders:read', resources: [API, PLAIN] })
  // The current key as a private JWK, and last year's as a PKCS#8 PEM: a rotation in progress.
  const jwkFile = join(dir.path, 'orders-2026.jwk')
  writeFileSync(jwkFile, JSON.stringify({ ...(await exportJWK(resourceKey.privateKey)), kid: 'orders-2026' }))
  const pemFile = join(dir.path, 'orders-2025.pem')
  const old = generateKeyPairSync('rsa', { modulusLength: 2048 })
  writeFileSync(pemFile, old.privateKey.export({ type: 'pkcs8', format: 'pem' }))
  keyFiles = [jwkFile, pemFile]
})
afterAll(async () => {
  await authority?.close()
  await upstream?.close()
  dir.remove()
})

describe('encrypted access tokens through the gateway', () => {
  test('jose (panva) decrypts and verifies the token the authority issued for the resource', async () => {
    const token = await tokenFor(API)
    expect(token.split('.')).toHaveLength(5)
    const { plaintext, protectedHeader } = await jose.compactDecrypt(
      token,
      await jose.importJWK(await exportJWK(resourceKey.privateKey), 'ECDH-ES+A256KW'),
      { keyManagementAlgorithms: ['ECDH-ES+A256KW'], contentEncryptionAlgorithms: ['A256GCM'] },
    )
    expect(protectedHeader).toMatchObject({
      alg: 'ECDH-ES+A256KW',
      enc: 'A256GCM',
      cty: 'JWT',
      kid: 'orders-2026',
    })
    const jwks = jose.createRemoteJWKSet(new URL(`${authority.url}/.well-known/jwks.json`))
    const { payload } = await jose.jwtVerify(new TextDecoder().decode(plaintext), jwks, {
      issuer: authority.issuer,
      audience: API,
      typ: 'at+jwt',
      algorithms: ['ES256'],
    })
    expect(payload).toMatchObject({
      sub: client.client_id,
      client_id: client.client_id,
      scope: 'orders:read',
    })
  })

  test('the gateway decrypts, verifies and forwards the identity; the cache answers the next call', async () => {
    const gateway = await gatewayWith(
      '--decryption-key',
      keyFiles[0] as string,
      '--decryption-key',
      keyFiles[1] as string,
    )
    try {
      const token = await tokenFor(API)
      for (let i = 0; i < 2; i++) {
        const response = await call(gateway.url, token)
        expect(response.status).toBe(200)
        const seen = upstream.seen.at(-1)
        expect(seen?.headers['x-tessera-subject']).toBe(client.client_id)
        expect(seen?.headers['x-tessera-scope']).toBe('orders:read')
      }
    } finally {
      await gateway.close()
    }
  })

  test('another key, a tampered tag, and a plain signed token are refused with the RFC 6750 answer', async () => {
    const gateway = await gatewayWith('--decryption-key', keyFiles[0] as string)
    try {
      const token = await tokenFor(API)
      const inner = new TextDecoder().decode(
        (
          await tesseraDecrypt(token, resourceKey.privateKey, {
            keyManagementAlgorithms: ['ECDH-ES+A256KW'],
            contentEncryptionAlgorithms: ['A256GCM'],
          })
        ).plaintext,
      )
      // The issuer's genuine signed token, encrypted to a key the gateway does not hold.
      const stranger = await generateKeyPair('ECDH-ES+A256KW')
      const toStranger = await compactEncrypt(inner, stranger.publicKey, {
        alg: 'ECDH-ES+A256KW',
        enc: 'A256GCM',
        cty: 'JWT',
        kid: 'orders-2026',
      })
      const parts = token.split('.')
      const tag = parts[4] as string
      parts[4] = `${tag.startsWith('A') ? 'B' : 'A'}${tag.slice(1)}`
      const cases: [string, string][] = [
        [toStranger, 'the token cannot be decrypted'],
        [parts.join('.'), 'the token cannot be decrypted'],
        // The inner JWS alone, and a token for an unencrypted audience: a plain JWS where a JWE is required.
        [inner, 'the token must be encrypted'],
        [await tokenFor(PLAIN), 'the token must be encrypted'],
        // Encrypted but not signed (no cty: "JWT"): nobody vouches for these claims.
        [
          await encryptJWT({ sub: 'forged' }, resourceKey.publicKey, {
            alg: 'ECDH-ES+A256KW',
            enc: 'A256GCM',
            issuer: authority.issuer,
            audience: API,
            expiresIn: '5m',
          }),
          'the token is not a well-formed JWT',
        ],
        // A key management algorithm outside the allowlist (the same key, unbound from its alg).
        [
          await compactEncrypt(inner, await unbound(resourceKey.publicKey), {
            alg: 'ECDH-ES+A128KW',
            enc: 'A256GCM',
            cty: 'JWT',
          }),
          'the token is signed with an algorithm that is not accepted',
        ],
      ]
      for (const [presented, description] of cases) {
        const response = await call(gateway.url, presented)
        expect(response.status, description).toBe(401)
        expect(response.headers.get('www-authenticate')).toBe(invalid(description))
        expect(await response.json()).toEqual({ error: 'invalid_token', error_description: description })
      }
    } finally {
      await gateway.close()
    }
  })

  test('--token-form either admits both; without a decryption key an encrypted token is refused', async () => {
    const either = await gatewayWith('--decryption-key', keyFiles[0] as string, '--token-form', 'either')
    const plain = await gatewayWith()
    try {
      const encrypted = await tokenFor(API)
      const signed = await tokenFor(PLAIN)
      expect((await call(either.url, encrypted)).status).toBe(200)
      expect((await call(either.url, signed)).status).toBe(200)
      expect((await call(plain.url, signed)).status).toBe(200)
      const refused = await call(plain.url, encrypted)
      expect(refused.status).toBe(401)
      expect(refused.headers.get('www-authenticate')).toBe(invalid('encrypted tokens are not accepted'))
    } finally {
      await either.close()
      await plain.close()
    }
  })

  test('refuses unusable decryption settings at start-up', () => {
    const base = [
      '--issuer',
      authority.issuer,
      '--audience',
      API,
      '--upstream',
      upstream.url,
      '--allow-insecure-http',
    ]
    const parse =
      (...flags: string[]) =>
      () =>
        parseSettings(readRawSettings([...base, ...flags], {}), {})
    const publicFile = join(dir.path, 'public.jwk')
    writeFileSync(
      publicFile,
      JSON.stringify({
        kty: 'EC',
        crv: 'P-256',
        x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
        y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
      }),
    )
    expect(parse('--token-form', 'encrypted')).toThrow('token-form: encrypted needs --decryption-key')
    expect(parse('--token-form', 'sealed')).toThrow('token-form: must be signed, encrypted or either')
    expect(parse('--decryption-key', join(dir.path, 'missing.pem'))).toThrow(/decryption-key: cannot read/)
    expect(parse('--decryption-key', publicFile)).toThrow(/not a private key/)
  })
})

describe('createTokenVerifier decryption options', () => {
  const base = { issuer: 'http://127.0.0.1:9', audience: API, algorithms: ['ES256'], allowInsecureHttp: true }
  test('misuse is a TypeError naming the option', () => {
    const keys = [resourceKey.privateKey]
    expect(() => createTokenVerifier({ ...base, tokenForm: 'encrypted' })).toThrow(
      new TypeError('"tokenForm" "encrypted" needs "decryption" keys'),
    )
    expect(() => createTokenVerifier({ ...base, decryption: { keys: [resourceKey.publicKey] } })).toThrow(
      new TypeError('"decryption.keys" must be private keys (Key, KeyObject or CryptoKey)'),
    )
    expect(() => createTokenVerifier({ ...base, decryption: { keys: [] } })).toThrow(/1 to 8 private keys/)
    expect(() =>
      createTokenVerifier({ ...base, decryption: { keys, keyManagementAlgorithms: ['RSA1_5'] } }),
    ).toThrow(new TypeError('"decryption.keyManagementAlgorithms" must not list RSA1_5'))
    expect(() => createTokenVerifier({ ...base, decryption: { keys, key: 1 } as never })).toThrow(
      /"key" is not an option of createTokenVerifier "decryption"; did you mean "keys"\?/,
    )
    expect(() =>
      createTokenVerifier({ ...base, decryption: { keys }, tokenForm: 'sealed' as never }),
    ).toThrow(new TypeError('"tokenForm" must be "signed", "encrypted" or "either"'))
  })
})

describe('encrypted device tokens over MQTT', () => {
  test('the MQTT auth path decrypts too, and refuses a plain token when encryption is required', async () => {
    const issuer = await startLocalIssuer()
    const { privateKey, publicKey } = await generateKeyPair('ECDH-ES+A256KW')
    const keyFile = join(dir.path, 'mqtt.jwk')
    writeFileSync(keyFile, JSON.stringify(await exportJWK(privateKey)))
    const argv = [
      ...['--issuer', issuer.issuer, '--audience', 'orders', '--upstream', upstream.url, '--port', '0'],
      ...['--allow-insecure-http', '--log-level', 'silent', '--decryption-key', keyFile, '--mqtt-port', '0'],
    ]
    const gateway = await startGateway(parseSettings(readRawSettings(argv, {}), {}))
    try {
      const port = gateway.edge.mqtt?.broker?.port as number
      const acl = { publish: ['devices/d1/telemetry'], subscribe: [] }
      const signed = await issuer.sign({ sub: 'd1', client_id: 'fleet', acl, jti: 'j1' })
      const encrypted = await compactEncrypt(signed, publicKey, {
        alg: 'ECDH-ES+A256KW',
        enc: 'A256GCM',
        cty: 'JWT',
      })
      expect(await refusedWith(port, { clientId: 'd1', username: 'd1', password: encrypted })).toBe(0)
      expect(await refusedWith(port, { clientId: 'd1', username: 'd1', password: signed })).toBe(
        CONNACK.badUsernameOrPassword,
      )
      const stranger = await generateKeyPair('ECDH-ES+A256KW')
      const wrong = await signThenEncryptJWT(
        { sub: 'd1' },
        {
          key: (await generateKeyPair('ES256')).privateKey,
          alg: 'ES256',
          issuer: issuer.issuer,
          audience: 'orders',
          expiresIn: '5m',
        },
        { key: stranger.publicKey, alg: 'ECDH-ES+A256KW', enc: 'A256GCM' },
      )
      expect(await refusedWith(port, { clientId: 'd1', username: 'd1', password: wrong })).toBe(
        CONNACK.badUsernameOrPassword,
      )
    } finally {
      await gateway.close()
      await issuer.close()
    }
  })
})
