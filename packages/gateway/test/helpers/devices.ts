import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { type Authority, createAuthority, loadConfig } from '../../../authority/dist/index.js'
import { ADMIN_TOKEN, freePort, registerClient, type TestClient } from './authority.js'

export const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer'
type PrivateKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey']

export interface TestDevice {
  readonly id: string
  readonly privateKey: PrivateKey
}

export interface DeviceTokens {
  readonly access_token: string
  readonly refresh_token: string
  readonly expires_in: number
}

export interface DeviceAuthority {
  readonly url: string
  readonly issuer: string
  readonly authority: Authority
  /** The authority's time in seconds (its clock may be set back). */
  now(): number
  /** Sets the authority's clock back or forth, to mint tokens that expire soon in real time. */
  setClockOffset(ms: number): void
  close(): Promise<void>
}

/**
 * An authority for device tests: device tokens live 60 s (the shortest it allows), no login
 * throttling, and a clock the test can set back so a 60 s token expires seconds from now.
 */
export async function startDeviceAuthority(dataDir: string): Promise<DeviceAuthority> {
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const config = loadConfig(
    {},
    {
      host: '127.0.0.1',
      port,
      issuer: url,
      dataDir,
      adminToken: ADMIN_TOKEN,
      masterKey: Buffer.alloc(32, 11).toString('base64url'),
      logLevel: 'silent',
      rateLimitPerClient: 0,
      rateLimitPerAddress: 0,
      deviceFailureLimit: 0,
      deviceAccessTokenLifetime: 60,
    },
  )
  let offset = 0
  const clock = { now: () => Date.now() + offset, date: undefined }
  const authority = await createAuthority({ config, clock })
  await authority.listen()
  return {
    url,
    issuer: url,
    authority,
    now: () => Math.floor(clock.now() / 1000),
    setClockOffset: (ms) => {
      offset = ms
    },
    close: () => authority.close(),
  }
}

/** The authority's admin API, behind the test admin token. */
export async function admin(url: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${url}/admin${path}`, {
    method,
    headers: {
      authorization: `Bearer ${ADMIN_TOKEN}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  const text = await response.text()
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> }
}

/** A device fleet's client: public (no secret), allowed only jwt-bearer and refresh_token. */
export async function registerFleet(url: string): Promise<string> {
  const client = await registerClient(url, { token_endpoint_auth_method: 'none', grant_types: [JWT_BEARER] })
  return client.client_id
}

/** A confidential client for the same grants, for revoking its tokens (RFC 7009) with a secret. */
export function registerConfidentialFleet(url: string): Promise<TestClient> {
  return registerClient(url, { grant_types: [JWT_BEARER] })
}

/** Registers a device with its own key; its ACL names its own topics. */
export async function registerDevice(
  url: string,
  id: string,
  acl: { publish: string[]; subscribe: string[] } = {
    publish: ['devices/{device}/telemetry', 'devices/{device}/status'],
    subscribe: ['devices/{device}/commands/#'],
  },
): Promise<TestDevice> {
  const { privateKey, publicKey } = await generateKeyPair('ES256')
  const created = await admin(url, 'POST', '/devices', { id, jwk: await exportJWK(publicKey), acl })
  if (created.status !== 201) throw new Error(`device registration failed: ${JSON.stringify(created)}`)
  return { id, privateKey }
}

/**
 * Device login (RFC 7523): the device signs an assertion, its fleet client presents it. `now` is the
 * authority's time in seconds, for an authority whose clock is offset.
 */
export async function deviceLogin(
  url: string,
  issuer: string,
  client: string | TestClient,
  device: TestDevice,
  now = Math.floor(Date.now() / 1000),
): Promise<DeviceTokens> {
  const assertion = await new SignJWT({})
    .setProtectedHeader({ alg: 'ES256' })
    .setIssuer(device.id)
    .setSubject(device.id)
    .setAudience(issuer)
    .setIssuedAt(now)
    .setExpirationTime(now + 120)
    .setJti(crypto.randomUUID())
    .sign(device.privateKey)
  const confidential = typeof client !== 'string'
  const response = await fetch(`${url}/oauth/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(confidential
        ? {
            authorization: `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}`,
          }
        : {}),
    },
    body: new URLSearchParams({
      grant_type: JWT_BEARER,
      assertion,
      ...(confidential ? {} : { client_id: client }),
    }),
  })
  const body = (await response.json()) as DeviceTokens
  if (response.status !== 200)
    throw new Error(`device login failed: ${response.status} ${JSON.stringify(body)}`)
  return body
}

/** RFC 7009 revocation by the public client that holds the token. */
export async function revokeToken(url: string, clientId: string, token: string): Promise<number> {
  const response = await fetch(`${url}/oauth/revoke`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: clientId, token }),
  })
  await response.body?.cancel()
  return response.status
}

export const claimsOf = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split('.')[1] as string, 'base64url').toString()) as Record<string, unknown>
