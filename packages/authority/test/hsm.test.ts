import { createLocalJWKSet, type JSONWebKeySet, jwtVerify } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../src/config/load-config.js'
import { createManualClock } from '../src/lib/clock.js'
import { createAuthority } from '../src/server.js'
import {
  ADMIN_TOKEN,
  MASTER_KEY,
  registerClient,
  requestToken,
  startAuthority,
  tempDir,
} from './helpers/authority.js'
import { auditEvents } from './helpers/devices.js'
import { initSoftToken, inspectToken, SOFTHSM_MODULE, type SoftToken } from './helpers/softhsm.js'

const PUBLIC_MEMBERS = {
  EC: ['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y'],
  RSA: ['alg', 'e', 'kid', 'kty', 'n', 'use'],
}

async function jwks(url: string): Promise<JSONWebKeySet> {
  return (await (await fetch(`${url}/.well-known/jwks.json`)).json()) as JSONWebKeySet
}

describe('signing keys in a PKCS#11 token (SoftHSM)', () => {
  const dir = tempDir()
  let token: SoftToken
  beforeAll(() => {
    token = initSoftToken(dir.path)
  })
  afterAll(() => dir.remove())

  it.each([
    ['ES256', 'EC', 'pin file'],
    ['RS256', 'RSA', 'pin variable'],
    ['PS256', 'RSA', 'pin file'],
  ] as const)(
    '%s: generated in the token, non-extractable, public key only in the JWKS, tokens verify with jose, rotation destroys the old key',
    async (alg, kty, pinFrom) => {
      const data = tempDir()
      const clock = createManualClock()
      const server = await startAuthority(
        {
          dataDir: data.path,
          signingAlg: alg,
          pkcs11Module: SOFTHSM_MODULE,
          pkcs11TokenLabel: token.label,
          ...(pinFrom === 'pin file' ? { pkcs11PinFile: token.pinFile } : { pkcs11Pin: token.pin }),
        },
        clock,
      )
      try {
        const { storage } = server.authority.context
        const [record] = await storage.listKeys()
        expect(record?.sealedPrivateKey).toMatch(/^pkcs11:id=[0-9a-f]{32}$/)
        const label = `tessera-${record?.sealedPrivateKey.slice('pkcs11:id='.length)}`
        expect(inspectToken(token)).toEqual([
          { label, class: 'private', sensitive: true, extractable: false, valueRefused: true },
          { label, class: 'public', sensitive: null, extractable: null, valueRefused: null },
        ])

        const published = await jwks(server.url)
        expect(published.keys).toHaveLength(1)
        expect(Object.keys(published.keys[0] as object).sort()).toEqual(PUBLIC_MEMBERS[kty])
        expect(published.keys[0]?.kid).toBe(record?.kid)

        const client = await registerClient(server.url)
        const issued = await requestToken(server.url, client)
        expect(issued.status).toBe(200)
        const verified = await jwtVerify(issued.body.access_token as string, createLocalJWKSet(published), {
          issuer: server.url,
          algorithms: [alg],
          typ: 'at+jwt',
          currentDate: clock.date,
        })
        expect(verified.protectedHeader).toEqual({ alg, typ: 'at+jwt', kid: record?.kid })
        expect(verified.payload.client_id).toBe(client.client_id)

        // Signatures in parallel (the token's sessions on the thread pool) all succeed and verify.
        const parallel = await Promise.all(Array.from({ length: 40 }, () => requestToken(server.url, client)))
        expect(parallel.map((response) => response.status)).toEqual(Array(40).fill(200))
        for (const response of parallel) {
          await jwtVerify(response.body.access_token as string, createLocalJWKSet(published), {
            algorithms: [alg],
            currentDate: clock.date,
          })
        }

        // Rotation: the next key is generated in the token and signs; the old one stays published.
        const rotated = await fetch(`${server.url}/admin/keys/rotate`, {
          method: 'POST',
          headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
        })
        expect(rotated.status).toBe(200)
        const current = (await storage.listKeys()).find((key) => key.state === 'current')
        expect(current?.kid).not.toBe(record?.kid)
        expect(current?.sealedPrivateKey).toMatch(/^pkcs11:id=/)
        expect(inspectToken(token).filter((object) => object.class === 'private')).toHaveLength(2)
        const afterRotation = await jwks(server.url)
        const second = await requestToken(server.url, client)
        const again = await jwtVerify(second.body.access_token as string, createLocalJWKSet(afterRotation), {
          algorithms: [alg],
          currentDate: clock.date,
        })
        expect(again.protectedHeader.kid).toBe(current?.kid)
        await jwtVerify(issued.body.access_token as string, createLocalJWKSet(afterRotation), {
          algorithms: [alg],
          currentDate: clock.date,
        })

        // After the retire period the old key leaves the JWKS and is destroyed in the token.
        clock.advance((server.authority.context.config.retirePeriod + 1) * 1000)
        await server.authority.context.keys.tick()
        expect((await jwks(server.url)).keys.map((key) => key.kid)).toEqual([current?.kid])
        const left = inspectToken(token)
        expect(left.map((object) => object.label)).toEqual([
          `tessera-${current?.sealedPrivateKey.slice('pkcs11:id='.length)}`,
          `tessera-${current?.sealedPrivateKey.slice('pkcs11:id='.length)}`,
        ])
        await server.authority.context.audit.flush()
        expect((await auditEvents(server.url, 'key.destroyed')).map((event) => event.subject)).toEqual([
          record?.kid,
        ])
      } finally {
        await server.close()
        data.remove()
        // Leave the token empty for the next algorithm.
        const rest = inspectToken(token)
        if (rest.length > 0) await emptyToken(token, data.path)
      }
    },
  )

  it('refuses to start without a PIN, or with a token label that does not exist', async () => {
    const data = tempDir()
    try {
      const base = { adminToken: ADMIN_TOKEN, masterKey: MASTER_KEY, dataDir: data.path, logLevel: 'silent' }
      await expect(
        createAuthority({
          config: loadConfig({}, { ...base, pkcs11Module: SOFTHSM_MODULE, pkcs11TokenLabel: token.label }),
        }),
      ).rejects.toThrow('a PKCS#11 token needs "pkcs11Pin" or "pkcs11PinFile"')
      await expect(
        createAuthority({
          config: loadConfig(
            {},
            { ...base, pkcs11Module: SOFTHSM_MODULE, pkcs11TokenLabel: 'nope', pkcs11Pin: token.pin },
          ),
        }),
      ).rejects.toThrow('no initialised PKCS#11 token with label "nope"')
      await expect(
        createAuthority({
          config: loadConfig(
            {},
            {
              ...base,
              signingAlg: 'EdDSA',
              pkcs11Module: SOFTHSM_MODULE,
              pkcs11TokenLabel: token.label,
              pkcs11Pin: token.pin,
            },
          ),
        }),
      ).rejects.toThrow('"signingAlg" EdDSA cannot be used with a PKCS#11 token')
    } finally {
      data.remove()
    }
  })
})

/** Removes keys a failed run left behind, so one failure does not cascade into the next case. */
async function emptyToken(token: SoftToken, _dir: string): Promise<void> {
  const { KeyToken } = await import('../src/keys/pkcs11/key-token.js')
  const opened = await KeyToken.open({ module: SOFTHSM_MODULE, tokenLabel: token.label, pin: token.pin })
  try {
    for (const object of inspectToken(token)) {
      await opened.destroy(`pkcs11:id=${object.label.slice('tessera-'.length)}`)
    }
  } finally {
    await opened.close()
  }
}
