import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { SETTINGS } from '../src/config/defaults.js'
import { ConfigError, loadConfig } from '../src/config/load-config.js'
import { tempDir } from './helpers/authority.js'

describe('loadConfig', () => {
  it('applies the documented defaults and freezes the result', () => {
    const config = loadConfig({})
    expect(config).toMatchObject({
      port: 3000,
      host: 'localhost',
      issuer: 'http://localhost:3000',
      accessTokenLifetime: 900,
      signingAlg: 'ES256',
      clockTolerance: 60,
      retirePeriod: 960,
    })
    expect(config.databaseUrl).toMatch(/^sqlite:.*data\/tessera\.db$/)
    expect(Object.isFrozen(config)).toBe(true)
    for (const spec of Object.values(SETTINGS)) expect(spec.doc.length).toBeGreaterThan(5)
  })

  it('derives the WebAuthn RP ID and origins from the issuer, and validates them when set (issue 13)', () => {
    expect(loadConfig({ TESSERA_ISSUER: 'https://id.example.com/' })).toMatchObject({
      webauthnRpId: 'id.example.com',
      webauthnOrigins: ['https://id.example.com'],
    })
    expect(
      loadConfig({
        TESSERA_ISSUER: 'https://id.example.com',
        TESSERA_WEBAUTHN_RP_ID: 'Example.COM',
        TESSERA_WEBAUTHN_ORIGINS: 'https://id.example.com, https://login.example.com:8443',
      }),
    ).toMatchObject({
      webauthnRpId: 'example.com',
      webauthnOrigins: ['https://id.example.com', 'https://login.example.com:8443'],
    })
    expect(() => loadConfig({ TESSERA_WEBAUTHN_RP_ID: 'https://example.com' })).toThrow(
      'invalid setting "webauthnRpId" (TESSERA_WEBAUTHN_RP_ID="https://example.com"): must be a host name such as example.com (no scheme, port or path)',
    )
    expect(() => loadConfig({ TESSERA_WEBAUTHN_ORIGINS: 'http://example.com' })).toThrow(
      '"http://example.com" must use https (http only for localhost)',
    )
    expect(() => loadConfig({ TESSERA_WEBAUTHN_ORIGINS: 'https://example.com/path' })).toThrow(
      '"https://example.com/path" must be an origin: no path, query or credentials',
    )
    expect(() => loadConfig({ TESSERA_WEBAUTHN_ORIGINS: ' , ' })).toThrow('must list 1 to 10 origins')
  })

  it('reads the environment, which wins over the config file', () => {
    const dir = tempDir()
    try {
      const file = join(dir.path, 'tessera.json')
      writeFileSync(file, JSON.stringify({ accessTokenLifetime: '30m', signingAlg: 'Ed25519', port: 4000 }))
      const config = loadConfig({
        TESSERA_CONFIG: file,
        PORT: '5000',
        TESSERA_ISSUER: 'https://auth.example/',
      })
      expect(config).toMatchObject({
        accessTokenLifetime: 1800,
        signingAlg: 'Ed25519',
        port: 5000,
        issuer: 'https://auth.example',
      })
    } finally {
      dir.remove()
    }
  })

  it.each([
    [{ TESSERA_ACCESS_TOKEN_LIFETIME: '61m' }, /"accessTokenLifetime" \(TESSERA_ACCESS_TOKEN_LIFETIME/],
    [{ TESSERA_ACCESS_TOKEN_LIFETIME: '30s' }, /accessTokenLifetime/],
    [{ TESSERA_SIGNING_ALG: 'HS256' }, /"signingAlg"/],
    [{ TESSERA_SIGNING_ALG: 'none' }, /"signingAlg"/],
    [{ PORT: 'eighty' }, /"port" \(PORT/],
    [{ TESSERA_ISSUER: 'http://auth.example' }, /"issuer".*https/],
    [{ TESSERA_ISSUER: 'https://auth.example/?q=1' }, /"issuer"/],
    [{ TESSERA_JWKS_MAX_AGE: '2h' }, /"jwksMaxAge"/],
    [{ TESSERA_PUBLISH_LEAD: '8d' }, /"publishLead"/],
    [{ TESSERA_RETIRE_PERIOD: '5m' }, /"retirePeriod"/],
    [{ DATABASE_URL: 'mysql://x' }, /"databaseUrl"/],
    [{ TESSERA_HEADERS_TIMEOUT: '40' }, /"headersTimeout".*requestTimeout/],
    [{ TESSERA_CONFIG: '/nonexistent/tessera.json' }, /TESSERA_CONFIG/],
  ])('refuses %o, naming the setting', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError)
    expect(() => loadConfig(env)).toThrow(message)
  })

  it('refuses unknown keys in the config file', () => {
    const dir = tempDir()
    try {
      const file = join(dir.path, 'bad.json')
      writeFileSync(file, '{"acessTokenLifetime": 60}')
      expect(() => loadConfig({ TESSERA_CONFIG: file })).toThrow(/unknown setting "acessTokenLifetime"/)
    } finally {
      dir.remove()
    }
  })
})
