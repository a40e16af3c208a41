import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config/load-config.js'
import {
  ADMIN_TOKEN,
  type RunningAuthority,
  registerClient,
  startAuthority,
  tempDir,
} from './helpers/authority.js'

const SPA = 'https://spa.example'
const CONFIGURED = 'https://configured.example'
const CONFIDENTIAL = 'https://backend.example'
const HOSTILE = 'https://evil.example'

function preflight(url: string, origin: string, method = 'POST') {
  return fetch(url, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': method,
      'access-control-request-headers': 'content-type',
    },
  })
}

function tokenRequest(url: string, origin: string | undefined, form: Record<string, string>) {
  return fetch(`${url}/oauth/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(origin === undefined ? {} : { origin }),
    },
    body: new URLSearchParams(form),
  })
}

/** The CORS protocol (Fetch standard §3.2) on the endpoints a browser app calls directly. */
describe('cross-origin access for browser apps', () => {
  const dir = tempDir()
  let server: RunningAuthority
  let spaClient: string

  beforeAll(async () => {
    server = await startAuthority({ dataDir: dir.path, corsOrigins: [CONFIGURED] })
    spaClient = (
      await registerClient(server.url, {
        client_name: 'SPA',
        scope: undefined,
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        redirect_uris: [`${SPA}/callback`, 'com.example.app:/callback'],
      })
    ).client_id
    await registerClient(server.url, {
      client_name: 'Back end',
      scope: undefined,
      grant_types: ['authorization_code'],
      redirect_uris: [`${CONFIDENTIAL}/callback`],
    })
  })
  afterAll(async () => {
    await server?.close()
    dir.remove()
  })

  it('answers the preflight of a public client’s origin on token, revocation and userinfo', async () => {
    for (const [path, methods] of [
      ['/oauth/token', 'POST'],
      ['/oauth/revoke', 'POST'],
      ['/oauth/userinfo', 'GET, POST'],
    ] as const) {
      const response = await preflight(`${server.url}${path}`, SPA)
      expect(response.status).toBe(204)
      expect(response.headers.get('access-control-allow-origin')).toBe(SPA)
      expect(response.headers.get('access-control-allow-methods')).toBe(methods)
      expect(response.headers.get('access-control-allow-headers')).toBe('authorization, content-type, dpop')
      expect(response.headers.get('access-control-allow-credentials')).toBeNull()
      expect(response.headers.get('vary')).toContain('Origin')
    }
  })

  it('allows the configured origins too', async () => {
    const response = await preflight(`${server.url}/oauth/token`, CONFIGURED)
    expect(response.status).toBe(204)
    expect(response.headers.get('access-control-allow-origin')).toBe(CONFIGURED)
  })

  it('refuses the preflight of other origins, of a confidential client’s origin, and of other methods', async () => {
    for (const [origin, method] of [
      [HOSTILE, 'POST'],
      [CONFIDENTIAL, 'POST'],
      ['null', 'POST'],
      [SPA, 'DELETE'],
    ] as const) {
      const response = await preflight(`${server.url}/oauth/token`, origin, method)
      expect(response.status).toBe(403)
      expect(response.headers.get('access-control-allow-origin')).toBeNull()
      expect(await response.json()).toEqual({
        error: 'invalid_request',
        error_description: 'cross-origin request not allowed',
      })
    }
  })

  it('lets the app read a token endpoint error, and only the app', async () => {
    const form = {
      grant_type: 'authorization_code',
      code: 'not-a-code',
      client_id: spaClient,
      redirect_uri: `${SPA}/callback`,
      code_verifier: 'x'.repeat(43),
    }
    const allowed = await tokenRequest(server.url, SPA, form)
    expect(allowed.status).toBe(400)
    expect(((await allowed.json()) as { error: string }).error).toBe('invalid_grant')
    expect(allowed.headers.get('access-control-allow-origin')).toBe(SPA)
    expect(allowed.headers.get('access-control-allow-credentials')).toBeNull()

    const hostile = await tokenRequest(server.url, HOSTILE, form)
    expect(hostile.status).toBe(400)
    expect(hostile.headers.get('access-control-allow-origin')).toBeNull()
    expect(hostile.headers.get('vary')).toContain('Origin')

    const sameOrigin = await tokenRequest(server.url, undefined, form)
    expect(sameOrigin.headers.get('access-control-allow-origin')).toBeNull()
  })

  it('exposes the bearer challenge of a refused userinfo call', async () => {
    const response = await fetch(`${server.url}/oauth/userinfo`, { headers: { origin: SPA } })
    expect(response.status).toBe(401)
    expect(response.headers.get('access-control-allow-origin')).toBe(SPA)
    expect(response.headers.get('access-control-expose-headers')).toBe('www-authenticate, retry-after')
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="tessera"')
  })

  it('publishes metadata, discovery and the JWKS to every origin', async () => {
    for (const path of [
      '/.well-known/oauth-authorization-server',
      '/.well-known/openid-configuration',
      '/.well-known/jwks.json',
    ]) {
      const response = await fetch(`${server.url}${path}`, { headers: { origin: HOSTILE } })
      expect(response.status).toBe(200)
      expect(response.headers.get('access-control-allow-origin')).toBe('*')
      const options = await preflight(`${server.url}${path}`, HOSTILE, 'GET')
      expect(options.status).toBe(204)
      expect(options.headers.get('access-control-allow-origin')).toBe('*')
    }
  })

  it('gives registration, admin and pages no CORS headers', async () => {
    for (const path of ['/admin/clients', '/signin', '/oauth/register']) {
      const response = await fetch(`${server.url}${path}`, {
        headers: { origin: SPA, authorization: `Bearer ${ADMIN_TOKEN}` },
      })
      expect(response.headers.get('access-control-allow-origin')).toBeNull()
    }
  })

  it('sees a newly registered app within the reload interval and drops a disabled one', async () => {
    const origin = 'https://new-app.example'
    const created = await registerClient(server.url, {
      client_name: 'New SPA',
      scope: undefined,
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code'],
      redirect_uris: [`${origin}/cb`],
    })
    // Another origin's miss may have reloaded the list just now; the reload interval is 2 s.
    await new Promise((resolve) => setTimeout(resolve, 2100))
    expect((await preflight(`${server.url}/oauth/token`, origin)).status).toBe(204)

    const disabled = await fetch(`${server.url}/admin/clients/${created.client_id}/disable`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    })
    expect(disabled.status).toBe(200)
    // Allowed origins stay cached until a miss reloads them; a miss by another origin does.
    await new Promise((resolve) => setTimeout(resolve, 2100))
    expect((await preflight(`${server.url}/oauth/token`, HOSTILE)).status).toBe(403)
    expect((await preflight(`${server.url}/oauth/token`, origin)).status).toBe(403)
  })
})

describe('the corsOrigins setting', () => {
  it('takes a comma-separated list of origins', () => {
    const config = loadConfig({ TESSERA_CORS_ORIGINS: 'https://a.example, http://localhost:5173' })
    expect(config.corsOrigins).toEqual(['https://a.example', 'http://localhost:5173'])
  })

  it('refuses what is not an origin, naming the setting', () => {
    for (const [value, reason] of [
      ['https://a.example/app', 'must be an origin: no path'],
      ['http://a.example', 'must use https'],
      ['a.example', 'is not an origin'],
    ]) {
      expect(() => loadConfig({ TESSERA_CORS_ORIGINS: value })).toThrow(
        new RegExp(`invalid setting "corsOrigins" \\(TESSERA_CORS_ORIGINS=.*${reason}`),
      )
    }
  })
})
