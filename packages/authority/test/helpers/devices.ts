import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose'
import { ADMIN_TOKEN, basic, registerClient } from './authority.js'

/** A JSON response body; tests read whichever members they assert on. */
// biome-ignore lint/suspicious/noExplicitAny: bodies of many shapes, each checked by the assertions that read it.
export type Json = Record<string, any>

export const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer'
export type Credentials = { client_id: string; client_secret: string }
type PrivateKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey']
export type DeviceKey = { privateKey: PrivateKey; jwk: JWK; alg: 'ES256' | 'EdDSA' }

/** The fleet's client: a confidential client registered for the device-login grant. */
export function registerFleetClient(url: string, metadata: Record<string, unknown> = {}) {
  return registerClient(url, { client_name: 'fleet', grant_types: [JWT_BEARER], ...metadata })
}

export async function deviceKey(kind: 'ES256' | 'Ed25519' = 'ES256'): Promise<DeviceKey> {
  const alg = kind === 'ES256' ? 'ES256' : 'EdDSA'
  const { privateKey, publicKey } = await generateKeyPair(alg, {
    crv: kind === 'ES256' ? 'P-256' : 'Ed25519',
  })
  return { privateKey, jwk: await exportJWK(publicKey), alg }
}

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
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as Json }
}

export async function registerDevice(url: string, key: DeviceKey, body: Record<string, unknown> = {}) {
  const created = await admin(url, 'POST', '/devices', {
    jwk: key.jwk,
    acl: { publish: ['devices/{device}/telemetry'], subscribe: ['devices/{device}/commands/#'] },
    ...body,
  })
  if (created.status !== 201) throw new Error(`device registration failed: ${JSON.stringify(created)}`)
  return created.body as { id: string; jwk_thumbprint: string } & Record<string, unknown>
}

export interface AssertionOptions {
  aud?: string
  exp?: number
  iat?: number
  jti?: string
  iss?: string
  sub?: string
  /** "Now" in epoch seconds, for servers on a manual clock. */
  now?: number
}

/** An RFC 7523 assertion signed by the device: iss = sub = device id, aud = the issuer. */
export function assertion(
  key: DeviceKey,
  deviceId: string,
  audience: string,
  options: AssertionOptions = {},
) {
  const now = options.now ?? Math.floor(Date.now() / 1000)
  return new SignJWT({})
    .setProtectedHeader({ alg: key.alg })
    .setIssuer(options.iss ?? deviceId)
    .setSubject(options.sub ?? deviceId)
    .setAudience(options.aud ?? audience)
    .setIssuedAt(options.iat ?? now)
    .setExpirationTime(options.exp ?? now + 120)
    .setJti(options.jti ?? crypto.randomUUID())
    .sign(key.privateKey)
}

export async function tokenRequest(url: string, client: Credentials, params: Record<string, string>) {
  const response = await fetch(`${url}/oauth/token`, {
    method: 'POST',
    headers: {
      authorization: basic(client.client_id, client.client_secret),
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams(params),
  })
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Json,
  }
}

export const login = (url: string, client: Credentials, jwt: string) =>
  tokenRequest(url, client, { grant_type: JWT_BEARER, assertion: jwt })

export const refresh = (url: string, client: Credentials, token: string) =>
  tokenRequest(url, client, { grant_type: 'refresh_token', refresh_token: token })

export async function introspect(url: string, client: Credentials, token: string) {
  const response = await fetch(`${url}/oauth/introspect`, {
    method: 'POST',
    headers: {
      authorization: basic(client.client_id, client.client_secret),
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ token }),
  })
  return (await response.json()) as Json
}

export async function auditEvents(url: string, event: string) {
  const { body } = await admin(url, 'GET', '/audit')
  return (body.events as { event: string; subject: string; detail: string }[]).filter(
    (e) => e.event === event,
  )
}

export async function revoke(url: string, client: Credentials, token: string) {
  const response = await fetch(`${url}/oauth/revoke`, {
    method: 'POST',
    headers: {
      authorization: basic(client.client_id, client.client_secret),
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ token }),
  })
  return { status: response.status, body: await response.text() }
}
