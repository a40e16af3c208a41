import { webcrypto } from 'node:crypto'
import {
  compactDecrypt,
  createLocalJWKSet,
  decodeProtectedHeader,
  decryptThenVerifyJWT,
  exportJWK,
  generateKeyPair,
  type JWK,
} from '@tessera/jose'
import * as oidc from 'openid-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { OAuthError } from '../src/lib/oauth-error.js'
import { validateResourceMetadata } from '../src/resources/resource-metadata.js'
import {
  ADMIN_TOKEN,
  basic,
  type RunningAuthority,
  registerClient,
  requestToken,
  startAuthority,
  tempDir,
} from './helpers/authority.js'
import {
  assertion,
  deviceKey,
  JWT_BEARER,
  registerDevice,
  registerFleetClient,
  tokenRequest,
} from './helpers/devices.js'
import { discover, startAuthorization, visitAuthorization } from './helpers/oidc.js'
import { type SmtpCapture, startSmtpCapture } from './helpers/smtp-capture.js'
import { WebClient } from './helpers/web-client.js'

// Issue 18: sign for integrity, encrypt for privacy. openid-client receives encrypted ID tokens and
// userinfo; a resource's access tokens are nested JWTs only its key opens; introspection still works.

const dir = tempDir()
let smtp: SmtpCapture
let running: RunningAuthority
let issuer: string
const RP = 'http://127.0.0.1:9/rp'
const API = 'https://records.example/api'

beforeAll(async () => {
  smtp = await startSmtpCapture()
  running = await startAuthority({
    dataDir: dir.path,
    smtpUrl: smtp.url,
    signinSendLimitIp: 10_000,
    allowHttpJwksUri: true,
  })
  issuer = running.url
})
afterAll(async () => {
  await running?.close()
  await smtp?.close()
  dir.remove()
})

async function register(metadata: Record<string, unknown>) {
  const response = await fetch(`${issuer}/oauth/register`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(metadata),
  })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

async function admin(method: string, path: string, body?: unknown) {
  const response = await fetch(`${issuer}/admin${path}`, {
    method,
    headers: {
      authorization: `Bearer ${ADMIN_TOKEN}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

async function encryptionKey(alg: string, kid: string) {
  const { publicKey, privateKey } = await generateKeyPair(alg)
  const jwk = { ...(await exportJWK(publicKey)), use: 'enc', kid } as JWK
  return { jwk, privateKey }
}

async function introspect(token: string, client: { client_id: string; client_secret: string }) {
  const response = await fetch(`${issuer}/oauth/introspect`, {
    method: 'POST',
    headers: {
      authorization: basic(client.client_id, client.client_secret),
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ token }),
  })
  return (await response.json()) as Record<string, unknown>
}

describe('registration of encryption keys', () => {
  const app = { grant_types: ['authorization_code'], redirect_uris: [`${RP}/callback`] }

  it('refuses RSA1_5, symmetric wraps, an enc without its alg, and a jwks without a fitting enc key', async () => {
    const rsa = await encryptionKey('RSA-OAEP-256', 'rsa-enc')
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ id_token_encrypted_response_alg: 'RSA1_5', jwks: { keys: [rsa.jwk] } }, /RSA1_5 is refused/],
      [{ userinfo_encrypted_response_alg: 'RSA1_5', jwks: { keys: [rsa.jwk] } }, /RSA1_5 is refused/],
      [{ id_token_encrypted_response_alg: 'A256KW', jwks: { keys: [rsa.jwk] } }, /must be one of/],
      [{ id_token_encrypted_response_alg: 'RSA-OAEP', jwks: { keys: [rsa.jwk] } }, /must be one of/],
      [{ id_token_encrypted_response_enc: 'A256GCM', jwks: { keys: [rsa.jwk] } }, /needs/],
      [
        { id_token_encrypted_response_alg: 'RSA-OAEP-256', id_token_encrypted_response_enc: 'A999GCM' },
        /must be one of/,
      ],
      [{ id_token_encrypted_response_alg: 'ECDH-ES+A256KW', jwks: { keys: [rsa.jwk] } }, /no key/],
      [
        { id_token_encrypted_response_alg: 'RSA-OAEP-256', jwks: { keys: [{ ...rsa.jwk, use: 'sig' }] } },
        /no key with "use": "enc"/,
      ],
      [{ id_token_encrypted_response_alg: 'RSA-OAEP-256' }, /need "jwks" or "jwks_uri"/],
      [{ jwks: { keys: [rsa.jwk] } }, /only for private_key_jwt or encrypted responses/],
    ]
    for (const [extra, message] of cases) {
      const answer = await register({ ...app, ...extra })
      expect(answer.status, JSON.stringify(extra)).toBe(400)
      expect(answer.body.error).toBe('invalid_client_metadata')
      expect(answer.body.error_description).toMatch(message)
    }
  })

  it('accepts an enc key with the allowed algorithms, defaulting enc to A256GCM, and states it', async () => {
    const rsa = await encryptionKey('RSA-OAEP-256', 'rsa-enc')
    const answer = await register({
      ...app,
      jwks: { keys: [rsa.jwk] },
      id_token_encrypted_response_alg: 'RSA-OAEP-256',
      userinfo_encrypted_response_alg: 'RSA-OAEP-256',
      userinfo_encrypted_response_enc: 'A128CBC-HS256',
    })
    expect(answer.status).toBe(201)
    expect(answer.body).toMatchObject({
      id_token_encrypted_response_alg: 'RSA-OAEP-256',
      id_token_encrypted_response_enc: 'A256GCM',
      userinfo_encrypted_response_alg: 'RSA-OAEP-256',
      userinfo_encrypted_response_enc: 'A128CBC-HS256',
    })
  })

  it('advertises the allowed values in discovery', async () => {
    const metadata = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as Record<
      string,
      unknown
    >
    const algs = ['ECDH-ES+A256KW', 'ECDH-ES', 'RSA-OAEP-256']
    const encs = ['A256GCM', 'A128GCM', 'A256CBC-HS512', 'A128CBC-HS256']
    expect(metadata).toMatchObject({
      id_token_encryption_alg_values_supported: algs,
      id_token_encryption_enc_values_supported: encs,
      userinfo_encryption_alg_values_supported: algs,
      userinfo_encryption_enc_values_supported: encs,
      userinfo_signing_alg_values_supported: ['ES256'],
    })
  })
})

describe('encrypted ID tokens and userinfo, with openid-client as the relying party', () => {
  it('receives an ID token signed then encrypted to its key, decrypts and validates it; userinfo too', async () => {
    // openid-client decrypts with a WebCrypto key; ECDH-ES on P-256 is one it supports.
    const pair = (await webcrypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, [
      'deriveBits',
    ])) as webcrypto.CryptoKeyPair
    const publicJwk = await webcrypto.subtle.exportKey('jwk', pair.publicKey)
    const jwk = {
      kty: publicJwk.kty,
      crv: publicJwk.crv,
      x: publicJwk.x,
      y: publicJwk.y,
      use: 'enc',
      kid: 'rp-1',
    }
    const app = await registerClient(issuer, {
      client_name: 'Clinic',
      scope: undefined,
      grant_types: ['authorization_code'],
      redirect_uris: [`${RP}/callback`],
      tessera_first_party: true,
      jwks: { keys: [jwk] },
      id_token_encrypted_response_alg: 'ECDH-ES+A256KW',
      userinfo_encrypted_response_alg: 'ECDH-ES',
    })
    const config = await discover(issuer, app.client_id, app.client_secret)
    oidc.enableDecryptingResponses(config, ['A256GCM'], { key: pair.privateKey, kid: 'rp-1' })
    const attempt = await startAuthorization(config, `${RP}/callback`, 'openid email')
    const answer = await visitAuthorization(new WebClient(issuer), smtp, attempt.url, 'patient@example.com')
    const callback = new URL(answer.headers.get('location') ?? '')
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: attempt.verifier,
      expectedState: attempt.state,
      expectedNonce: attempt.nonce,
      idTokenExpected: true,
    })
    // On the wire: a compact JWE to the RP's key, wrapping a JWS.
    const idToken = tokens.id_token as string
    expect(idToken.split('.')).toHaveLength(5)
    expect(decodeProtectedHeader(idToken)).toEqual({
      alg: 'ECDH-ES+A256KW',
      enc: 'A256GCM',
      cty: 'JWT',
      kid: 'rp-1',
      epk: expect.any(Object),
    })
    const user = await running.authority.context.users.findByEmail('patient@example.com')
    expect(tokens.claims()).toMatchObject({
      iss: issuer,
      sub: user?.id,
      aud: app.client_id,
      nonce: attempt.nonce,
    })
    const inner = oidc.getDecryptedResponses(tokens)?.id_token?.token_endpoint as string
    expect(decodeProtectedHeader(inner)).toMatchObject({ alg: 'ES256', typ: 'JWT' })

    // Userinfo: application/jwt, signed then encrypted (ECDH-ES), validated by openid-client.
    const info = await oidc.fetchUserInfo(config, tokens.access_token, user?.id as string)
    expect(info).toMatchObject({
      sub: user?.id,
      email: 'patient@example.com',
      iss: issuer,
      aud: app.client_id,
    })
    const raw = await fetch(`${issuer}/oauth/userinfo`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    })
    expect(raw.headers.get('content-type')).toMatch(/^application\/jwt/)
    expect(decodeProtectedHeader(await raw.text())).toMatchObject({
      alg: 'ECDH-ES',
      enc: 'A256GCM',
      cty: 'JWT',
    })
  })
})

describe('encrypted access tokens for a registered resource', () => {
  it('registers resources in the admin API, with RSA1_5 and key-less entries refused', async () => {
    const { jwk } = await encryptionKey('ECDH-ES+A256KW', 'api-1')
    const bad = [
      { resource: API, name: 'Records', jwks: { keys: [jwk] }, encryption_alg: 'RSA1_5' },
      { resource: API, name: 'Records' },
      { resource: 'not a uri', name: 'Records', jwks: { keys: [jwk] } },
      { resource: API, name: 'Records', jwks: { keys: [{ ...jwk, use: 'sig' }] } },
      { resource: API, name: 'Records', jwks_uri: 'http://127.0.0.1:9/jwks' },
    ]
    for (const body of bad) {
      const answer = await admin('POST', '/resources', body)
      expect(answer.status, JSON.stringify(body)).toBe(400)
      expect(answer.body.error).toBe('invalid_client_metadata')
    }
    const unauthenticated = await fetch(`${issuer}/admin/resources`)
    expect(unauthenticated.status).toBe(401)
  })

  it('accepts an http jwks_uri only where loopback tests allow it', () => {
    const body = {
      resource: API,
      name: 'Records',
      jwks_uri: 'http://127.0.0.1:9/jwks',
      encryption_alg: 'ECDH-ES',
    }
    expect(() => validateResourceMetadata(body, false)).toThrow(
      new OAuthError('invalid_client_metadata', '"jwks_uri" must be an https URL without credentials'),
    )
    expect(validateResourceMetadata(body, true)).toMatchObject({ jwks_uri: 'http://127.0.0.1:9/jwks' })
    expect(validateResourceMetadata({ ...body, jwks_uri: 'https://api.example/jwks' }, false)).toEqual({
      resource: API,
      name: 'Records',
      jwks_uri: 'https://api.example/jwks',
      encryption_alg: 'ECDH-ES',
      encryption_enc: 'A256GCM',
    })
  })

  it('issues a nested JWT only the resource opens; jose decrypts and verifies it; introspection works', async () => {
    const { jwk, privateKey } = await encryptionKey('ECDH-ES+A256KW', 'api-1')
    const created = await admin('POST', '/resources', {
      resource: API,
      name: 'Records',
      jwks: { keys: [jwk] },
    })
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({
      resource: API,
      encryption_alg: 'ECDH-ES+A256KW',
      encryption_enc: 'A256GCM',
    })
    expect((await admin('GET', `/resource?resource=${encodeURIComponent(API)}`)).body.name).toBe('Records')
    expect((await admin('GET', '/resources')).body.resources).toHaveLength(1)

    const client = await registerClient(issuer, { resources: [API, 'https://plain.example'] })
    const issued = await requestToken(issuer, client, { resource: API })
    expect(issued.status).toBe(200)
    const token = issued.body.access_token as string
    expect(token.split('.')).toHaveLength(5)
    expect(decodeProtectedHeader(token)).toMatchObject({
      alg: 'ECDH-ES+A256KW',
      enc: 'A256GCM',
      cty: 'JWT',
      kid: 'api-1',
    })

    const jwks = createLocalJWKSet(await (await fetch(`${issuer}/.well-known/jwks.json`)).json())
    const { payload, protectedHeader } = await decryptThenVerifyJWT(
      token,
      {
        key: privateKey,
        keyManagementAlgorithms: ['ECDH-ES+A256KW'],
        contentEncryptionAlgorithms: ['A256GCM'],
      },
      { key: jwks, algorithms: ['ES256'], issuer, audience: API, typ: 'at+jwt' },
    )
    expect(payload).toMatchObject({
      iss: issuer,
      aud: API,
      sub: client.client_id,
      client_id: client.client_id,
    })
    expect(protectedHeader.typ).toBe('at+jwt')

    // Another key does not open it.
    const other = await encryptionKey('ECDH-ES+A256KW', 'api-1')
    await expect(
      compactDecrypt(token, other.privateKey, {
        keyManagementAlgorithms: ['ECDH-ES+A256KW'],
        contentEncryptionAlgorithms: ['A256GCM'],
      }),
    ).rejects.toMatchObject({ code: 'ERR_JWE_DECRYPTION_FAILED' })

    // The authority cannot decrypt it, yet introspection answers from what it kept at issuance.
    expect(await introspect(token, client)).toMatchObject({
      active: true,
      sub: client.client_id,
      aud: API,
      jti: payload.jti,
      exp: payload.exp,
    })
    const parts = token.split('.')
    parts[4] = `${parts[4]?.startsWith('A') ? 'B' : 'A'}${parts[4]?.slice(1)}`
    expect(await introspect(parts.join('.'), client)).toEqual({ active: false })

    // Revocation finds it the same way; it is then inactive.
    const revoked = await fetch(`${issuer}/oauth/revoke`, {
      method: 'POST',
      headers: {
        authorization: basic(client.client_id, client.client_secret),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ token }),
    })
    expect(revoked.status).toBe(200)
    expect(await introspect(token, client)).toEqual({ active: false })

    // Other audiences still get a plain signed token.
    const plain = await requestToken(issuer, client, { resource: 'https://plain.example' })
    expect((plain.body.access_token as string).split('.')).toHaveLength(3)

    expect((await admin('DELETE', `/resource?resource=${encodeURIComponent(API)}`)).status).toBe(200)
    expect((await admin('GET', `/resource?resource=${encodeURIComponent(API)}`)).status).toBe(404)
  })

  it('encrypts device tokens for a registered broker resource, on login and on refresh', async () => {
    const BROKER = 'mqtts://broker.example'
    const { jwk, privateKey } = await encryptionKey('ECDH-ES+A256KW', 'broker-1')
    expect(
      (await admin('POST', '/resources', { resource: BROKER, name: 'Broker', jwks: { keys: [jwk] } })).status,
    ).toBe(201)
    const fleet = await registerFleetClient(issuer, { resources: [BROKER] })
    const key = await deviceKey('ES256')
    const device = await registerDevice(issuer, key)
    const login = await tokenRequest(issuer, fleet, {
      grant_type: JWT_BEARER,
      assertion: await assertion(key, device.id, issuer),
      resource: BROKER,
    })
    expect(login.status).toBe(200)
    const jwks = createLocalJWKSet(await (await fetch(`${issuer}/.well-known/jwks.json`)).json())
    const open = (token: string) =>
      decryptThenVerifyJWT(
        token,
        {
          key: privateKey,
          keyManagementAlgorithms: ['ECDH-ES+A256KW'],
          contentEncryptionAlgorithms: ['A256GCM'],
        },
        { key: jwks, algorithms: ['ES256'], issuer, audience: BROKER, typ: 'at+jwt' },
      )
    const first = await open(login.body.access_token)
    expect(first.payload).toMatchObject({
      sub: device.id,
      acl: { publish: [`devices/${device.id}/telemetry`] },
    })
    const refreshed = await tokenRequest(issuer, fleet, {
      grant_type: 'refresh_token',
      refresh_token: login.body.refresh_token,
    })
    expect(refreshed.status).toBe(200)
    expect((await open(refreshed.body.access_token)).payload.sub).toBe(device.id)
    expect(await introspect(refreshed.body.access_token, fleet)).toMatchObject({
      active: true,
      sub: device.id,
      acl: first.payload.acl,
    })
  })
})
