import { generateKeyPairSync } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { isoCBOR } from '@simplewebauthn/server/helpers'
import { calculateJwkThumbprint } from '@tessera/jose'
import * as oidc from 'openid-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createManualClock } from '../src/lib/clock.js'
import { coseToJwk } from '../src/passkeys/cose-to-jwk.js'
import { PASSKEY_ERRORS } from '../src/passkeys/passkey-error.js'
import {
  ADMIN_TOKEN,
  type RunningAuthority,
  registerClient,
  startAuthority,
  tempDir,
} from './helpers/authority.js'
import { discover, pathOf, startAuthorization } from './helpers/oidc.js'
import { signInByCode } from './helpers/people.js'
import { type SmtpCapture, startSmtpCapture } from './helpers/smtp-capture.js'
import {
  coseKey,
  publicJwkOf,
  type SoftAlg,
  type SoftCredential,
  SoftwareAuthenticator,
} from './helpers/software-authenticator.js'
import { csrfTokenOf, WebClient } from './helpers/web-client.js'

const dir = tempDir()
const clock = createManualClock()
let smtp: SmtpCapture
let running: RunningAuthority
let device: SoftwareAuthenticator
let counter = 0
const address = (label: string) => `${label}-${++counter}@example.com`

beforeAll(async () => {
  smtp = await startSmtpCapture()
  running = await startAuthority(
    {
      dataDir: dir.path,
      smtpUrl: smtp.url,
      signinSendLimitIp: 10_000,
      rateLimitPerAddress: 100_000,
      // The refusal tests fail dozens of times from one address and one account; the lockout has
      // its own test at the end.
      lockoutFailures: 1000,
      lockoutAddressFailures: 100_000,
    },
    clock,
  )
  device = new SoftwareAuthenticator(running.url)
})
afterAll(async () => {
  await running?.close()
  await smtp?.close()
  dir.remove()
})

const storage = () => running.authority.context.storage

function postJson(web: WebClient, path: string, body: unknown, headers: Record<string, string> = {}) {
  return web.request('POST', path, {
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'content-type': 'application/json', origin: new URL(web.base).origin, ...headers },
  })
}

interface Account {
  web: WebClient
  csrf: string
  userId: string
}

async function signedIn(label: string): Promise<Account> {
  const web = new WebClient(running.url)
  const email = address(label)
  await signInByCode(web, smtp, email)
  const account = await web.get('/account')
  const user = await running.authority.context.users.findByEmail(email)
  return { web, csrf: csrfTokenOf(account.text), userId: user?.id ?? '' }
}

async function registrationOptions(account: Account) {
  const answer = await postJson(account.web, '/passkeys/registration/options', { csrf_token: account.csrf })
  expect(answer.status).toBe(200)
  return JSON.parse(answer.text) as { challenge: string; user: { id: string } } & Record<string, unknown>
}

async function addPasskey(
  account: Account,
  alg: SoftAlg = 'ES256',
  options: { backupEligible?: boolean } = {},
) {
  clock.advance(1000)
  const credential = device.newCredential(alg, options)
  const response = device.register(await registrationOptions(account), credential)
  const answer = await postJson(account.web, '/passkeys/registration/verify', {
    csrf_token: account.csrf,
    name: `${alg} key`,
    response,
  })
  expect(answer.status, answer.text).toBe(200)
  return credential
}

/** A fresh browser at /signin: its pre-login cookie, its CSRF token and a passkey challenge. */
async function signInPage() {
  const web = new WebClient(running.url)
  const page = await web.get('/signin')
  const csrf = csrfTokenOf(page.text)
  const answer = await postJson(web, '/passkeys/authentication/options', { csrf_token: csrf })
  expect(answer.status).toBe(200)
  return { web, csrf, options: JSON.parse(answer.text) as { challenge: string } & Record<string, unknown> }
}

async function signInWith(
  credential: SoftCredential,
  overrides: Parameters<SoftwareAuthenticator['authenticate']>[2] = {},
) {
  const { web, csrf, options } = await signInPage()
  const response = device.authenticate(options, credential, overrides)
  const answer = await postJson(web, '/passkeys/authentication/verify', {
    csrf_token: csrf,
    response,
    return_to: '/account',
  })
  return { web, csrf, options, response, answer, body: JSON.parse(answer.text) as Record<string, unknown> }
}

async function adminPasskeys(userId: string) {
  const answer = await fetch(`${running.url}/admin/users/${userId}/passkeys`, {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  })
  expect(answer.status).toBe(200)
  return ((await answer.json()) as { passkeys: Record<string, unknown>[] }).passkeys
}

async function sessionsOf(userId: string) {
  return running.authority.context.sessions.list(userId)
}

async function auditEvents(name: string) {
  await running.authority.context.audit.flush()
  return (await storage().listAudit(1000)).filter((event) => event.event === name)
}

describe('COSE to JWK (RFC 9052 → RFC 7517/8037), thumbprints (RFC 7638)', () => {
  it.each(['ES256', 'ES384', 'EdDSA', 'RS256'] as const)(
    '%s: the JWK is the public key node:crypto derives',
    async (alg) => {
      const credential = device.newCredential(alg)
      const converted = coseToJwk(coseKey(alg, credential.publicKey) as Uint8Array<ArrayBuffer>)
      const expected = publicJwkOf(credential)
      expect(converted.jwk).toEqual({ ...expected, alg })
      expect(converted.thumbprint).toBe(await calculateJwkThumbprint(expected as never))
    },
  )

  it('converts P-384 and P-521 keys, and refuses what it cannot represent', async () => {
    for (const [namedCurve, crv, coseCrv, coseAlg, size] of [
      ['P-384', 'P-384', 2, -35, 48],
      ['P-521', 'P-521', 3, -36, 66],
    ] as const) {
      const { publicKey } = generateKeyPairSync('ec', { namedCurve })
      const jwk = publicKey.export({ format: 'jwk' }) as Record<string, string>
      const bytes = (value = '') => new Uint8Array(Buffer.from(value, 'base64url'))
      const key = isoCBOR.encode(
        new Map<number, number | Uint8Array>([
          [1, 2],
          [3, coseAlg],
          [-1, coseCrv],
          [-2, bytes(jwk.x)],
          [-3, bytes(jwk.y)],
        ]),
      )
      const converted = coseToJwk(key as Uint8Array<ArrayBuffer>)
      expect(converted.jwk).toMatchObject({ kty: 'EC', crv, x: jwk.x, y: jwk.y })
      expect(Buffer.from(converted.jwk.x as string, 'base64url')).toHaveLength(size)
      expect(converted.thumbprint).toBe(await calculateJwkThumbprint(jwk as never))
    }
    const refused = (key: Uint8Array) => {
      try {
        coseToJwk(key as Uint8Array<ArrayBuffer>)
      } catch (error) {
        return (error as { code?: string }).code
      }
      return 'accepted'
    }
    expect(refused(new Uint8Array([1, 2, 3]))).toBe('unsupported_algorithm')
    // secp256k1 (ES256K, -47) and a short x coordinate are refused, not guessed at.
    const x = new Uint8Array(32).fill(1)
    expect(
      refused(
        isoCBOR.encode(
          new Map<number, number | Uint8Array>([
            [1, 2],
            [3, -47],
            [-1, 8],
            [-2, x],
            [-3, x],
          ]),
        ),
      ),
    ).toBe('unsupported_algorithm')
    expect(
      refused(
        isoCBOR.encode(
          new Map<number, number | Uint8Array>([
            [1, 1],
            [3, -8],
            [-1, 6],
            [-2, x.subarray(0, 31)],
          ]),
        ),
      ),
    ).toBe('unsupported_algorithm')
  })
})

describe('passkeys over HTTP (software authenticator)', () => {
  it('registers ES256, Ed25519, RS256 and ES384 passkeys; the admin API shows each as a JWK with its thumbprint', async () => {
    const account = await signedIn('register')
    const credentials = [
      await addPasskey(account, 'ES256'),
      await addPasskey(account, 'EdDSA'),
      await addPasskey(account, 'RS256'),
      await addPasskey(account, 'ES384'),
    ]
    const listed = await adminPasskeys(account.userId)
    expect(listed.map((passkey) => passkey.id)).toEqual(credentials.map((credential) => credential.id))
    for (const [index, credential] of credentials.entries()) {
      const publicJwk = publicJwkOf(credential)
      expect(listed[index]).toMatchObject({
        user_id: account.userId,
        name: `${credential.alg} key`,
        jwk: { ...publicJwk, alg: credential.alg },
        thumbprint: await calculateJwkThumbprint(publicJwk as never),
        sign_count: 0,
        transports: ['internal'],
        aaguid: '00000000-0000-0000-0000-000000000000',
        backup_eligible: false,
        backup_state: false,
        user_verified: true,
        last_used_at: null,
        revoked_at: null,
      })
    }
    const page = await account.web.get('/account')
    expect(page.text).toContain('ES256 key')
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'; connect-src 'self';")
    expect(page.text).toContain('<script src="/assets/simplewebauthn-browser.js" defer></script>')
    expect(page.text).not.toMatch(/<script>|<script(?! src="\/assets\/)/)

    // Rename and remove through the page's forms: only one's own passkeys.
    const renamed = await account.web.post('/account/passkeys/rename', {
      csrf_token: account.csrf,
      passkey_id: credentials[0]?.id ?? '',
      name: '  Work   laptop ',
    })
    expect(renamed.status).toBe(303)
    expect((await storage().findPasskey(credentials[0]?.id ?? ''))?.name).toBe('Work laptop')
    const other = await signedIn('other')
    const foreign = await other.web.post('/account/passkeys/remove', {
      csrf_token: other.csrf,
      passkey_id: credentials[1]?.id ?? '',
    })
    expect(foreign.status).toBe(404)
    expect(foreign.text).toContain('That passkey is not one of yours, or it was already removed.')
    const removed = await account.web.post('/account/passkeys/remove', {
      csrf_token: account.csrf,
      passkey_id: credentials[1]?.id ?? '',
    })
    expect(removed.status).toBe(303)
    expect((await storage().listPasskeys(account.userId)).map((passkey) => passkey.id)).toEqual([
      credentials[0]?.id,
      credentials[2]?.id,
      credentials[3]?.id,
    ])
    // ES384 signs in too (P-384, SHA-384).
    const es384 = credentials[3]
    if (es384 === undefined) throw new Error('no ES384 credential')
    expect((await signInWith(es384)).answer.status).toBe(200)
  })

  it('signs in with a discoverable passkey: a session with amr hwk+user, and an ID token that says so', async () => {
    const account = await signedIn('signin')
    const credential = await addPasskey(account, 'EdDSA')
    const app = await registerClient(running.url, {
      client_name: 'Notes',
      scope: undefined,
      grant_types: ['authorization_code'],
      redirect_uris: ['http://127.0.0.1:9/rp/callback'],
      tessera_first_party: true,
    })
    const before = (await sessionsOf(account.userId)).length
    const { web, answer, body } = await signInWith(credential, { userHandle: null })
    expect(answer.status, answer.text).toBe(200)
    expect(body).toEqual({ location: '/account' })
    expect(answer.setCookies.some((cookie) => cookie.startsWith('tessera-session='))).toBe(true)
    const sessions = await sessionsOf(account.userId)
    expect(sessions).toHaveLength(before + 1)
    expect(sessions.map((session) => session.amr)).toContain(JSON.stringify(['hwk', 'user']))
    expect((await storage().findPasskey(credential.id))?.lastUsedAt).toBe(clock.now())
    expect((await web.get('/account')).status).toBe(200)

    const config = await discover(running.url, app.client_id, app.client_secret)
    const attempt = await startAuthorization(config, 'http://127.0.0.1:9/rp/callback', 'openid')
    const authorized = await web.get(pathOf(attempt.url))
    expect(authorized.status).toBe(302)
    const tokens = await oidc.authorizationCodeGrant(
      config,
      new URL(authorized.headers.get('location') ?? ''),
      {
        pkceCodeVerifier: attempt.verifier,
        expectedState: attempt.state,
        expectedNonce: attempt.nonce,
        idTokenExpected: true,
      },
    )
    expect(tokens.claims()).toMatchObject({ sub: account.userId, amr: ['hwk', 'user'] })
    expect(await auditEvents('passkey.signed_in')).toContainEqual(
      expect.objectContaining({ subject: account.userId }),
    )
  })
})

interface Refusal {
  status: number
  error: string
  message: string
}

function expectRefusal(answer: { status: number; text: string }, expected: Refusal) {
  expect({ status: answer.status, ...JSON.parse(answer.text) }).toEqual({
    status: expected.status,
    error: expected.error,
    error_description: expected.message,
  })
}

describe('registration refusals: a 4xx with a clear message, nothing stored', () => {
  const ORIGIN: Refusal = {
    status: 400,
    error: 'origin_mismatch',
    message: 'The passkey answer was made for another site (https://evil.example), not this one.',
  }

  it.each<[string, Parameters<SoftwareAuthenticator['register']>[2], Refusal]>([
    ['another origin', { origin: 'https://evil.example' }, ORIGIN],
    [
      'another RP ID',
      { rpId: 'evil.example' },
      {
        status: 400,
        error: 'rp_id_mismatch',
        message: 'The passkey answer was made for another relying party, not 127.0.0.1.',
      },
    ],
    [
      'a challenge this server never issued',
      { challenge: Buffer.alloc(32, 9).toString('base64url') },
      {
        status: 400,
        error: 'challenge_unknown',
        message: 'This passkey answer does not belong to a request made in this browser. Start again.',
      },
    ],
    [
      'no user verification',
      { userVerified: false },
      {
        status: 400,
        error: 'user_verification_required',
        message:
          'The passkey did not verify you (PIN, fingerprint or face). Try again and confirm on your device.',
      },
    ],
    [
      'a sign-in answer instead of a registration',
      { type: 'webauthn.get' },
      {
        status: 400,
        error: 'invalid_request',
        message: 'The passkey answer is for another ceremony (webauthn.get).',
      },
    ],
  ])('%s', async (_label, overrides, expected) => {
    const account = await signedIn('refuse-reg')
    const response = device.register(await registrationOptions(account), device.newCredential(), overrides)
    const answer = await postJson(account.web, '/passkeys/registration/verify', {
      csrf_token: account.csrf,
      response,
    })
    expectRefusal(answer, expected)
    expect(await storage().listPasskeys(account.userId)).toEqual([])
  })

  it("a replayed, an expired and another browser session's challenge", async () => {
    const account = await signedIn('replay-reg')
    const credential = device.newCredential()
    const response = device.register(await registrationOptions(account), credential)
    const body = { csrf_token: account.csrf, response }
    expect((await postJson(account.web, '/passkeys/registration/verify', body)).status).toBe(200)
    expectRefusal(await postJson(account.web, '/passkeys/registration/verify', body), {
      status: 400,
      error: 'challenge_used',
      message: 'This passkey request was already answered. Start again.',
    })
    const late = device.register(await registrationOptions(account), device.newCredential())
    clock.advance(5 * 60_000 + 1)
    expectRefusal(
      await postJson(account.web, '/passkeys/registration/verify', {
        csrf_token: account.csrf,
        response: late,
      }),
      {
        status: 400,
        error: 'challenge_expired',
        message: 'This passkey request has expired. Start again.',
      },
    )
    // The challenge is bound to the session that asked: another signed-in browser cannot answer it.
    const other = await signedIn('replay-other')
    const stolen = device.register(await registrationOptions(account), device.newCredential())
    expectRefusal(
      await postJson(other.web, '/passkeys/registration/verify', {
        csrf_token: other.csrf,
        response: stolen,
      }),
      {
        status: 400,
        error: 'challenge_unknown',
        message: 'This passkey answer does not belong to a request made in this browser. Start again.',
      },
    )
    expect((await storage().listPasskeys(account.userId)).map((passkey) => passkey.id)).toEqual([
      credential.id,
    ])
    expect(await storage().listPasskeys(other.userId)).toEqual([])
  })

  it('a credential id another user registered', async () => {
    const owner = await signedIn('owner')
    const credential = await addPasskey(owner)
    const thief = await signedIn('thief')
    const response = device.register(await registrationOptions(thief), credential)
    expectRefusal(
      await postJson(thief.web, '/passkeys/registration/verify', { csrf_token: thief.csrf, response }),
      {
        status: 409,
        error: 'credential_taken',
        message: 'This passkey is already registered.',
      },
    )
    expect((await storage().findPasskey(credential.id))?.userId).toBe(owner.userId)
    expect(await storage().listPasskeys(thief.userId)).toEqual([])
  })

  it('garbage: not JSON, not an object, a malformed answer, no CSRF token, not signed in', async () => {
    const account = await signedIn('garbage-reg')
    const verify = (body: unknown, headers: Record<string, string> = {}) =>
      postJson(account.web, '/passkeys/registration/verify', body, headers)
    const notJson = await verify('{"csrf_token":')
    expect(notJson.status).toBe(400)
    expect(JSON.parse(notJson.text).error).toBe('invalid_request')
    expect(JSON.parse(notJson.text).error_description).toMatch(/^The request could not be read: /)
    const huge = await verify({ csrf_token: account.csrf, response: 'x'.repeat(40_000) })
    expect(huge.status).toBe(413)
    expect(JSON.parse(huge.text).error).toBe('invalid_request')
    expectRefusal(await verify('[1,2]'), {
      status: 400,
      error: 'invalid_request',
      message: 'The request body must be a JSON object.',
    })
    expectRefusal(await verify({ csrf_token: account.csrf, response: 'x' }), {
      status: 400,
      error: 'invalid_request',
      message: 'The passkey answer is malformed: "response" must be an object.',
    })
    expectRefusal(
      await verify({
        csrf_token: account.csrf,
        response: { id: 'a', rawId: 'b', type: 'public-key', response: {} },
      }),
      {
        status: 400,
        error: 'invalid_request',
        message: 'The passkey answer is malformed: "rawId" must equal "id".',
      },
    )
    expectRefusal(
      await verify({
        csrf_token: account.csrf,
        response: {
          id: 'a',
          rawId: 'a',
          type: 'public-key',
          response: { clientDataJSON: 'e30', attestationObject: '!!' },
        },
      }),
      {
        status: 400,
        error: 'invalid_request',
        message: 'The passkey answer is malformed: "attestationObject" must be base64url text.',
      },
    )
    const CSRF: Refusal = {
      status: 403,
      error: 'csrf_failed',
      message: 'This page has expired or was not sent from this site. Reload it and try again.',
    }
    expectRefusal(await verify({ csrf_token: 'wrong', response: {} }), CSRF)
    expectRefusal(
      await verify({ csrf_token: account.csrf, response: {} }, { origin: 'https://evil.example' }),
      CSRF,
    )
    expectRefusal(
      await postJson(new WebClient(running.url), '/passkeys/registration/options', { csrf_token: 'x' }),
      {
        status: 401,
        error: 'not_signed_in',
        message: 'Sign in first to add a passkey.',
      },
    )
    expect(await storage().listPasskeys(account.userId)).toEqual([])
  })
})

describe('sign-in refusals: a 4xx with a clear message, no session, the passkey unchanged', () => {
  let account: Account
  let credential: SoftCredential

  beforeAll(async () => {
    account = await signedIn('refuse-signin')
    credential = await addPasskey(account)
  })

  async function unchanged(run: () => Promise<{ status: number; text: string }>, expected: Refusal) {
    const before = await storage().findPasskey(credential.id)
    const sessions = (await sessionsOf(account.userId)).length
    const failures = (await auditEvents('signin.failed')).length
    expectRefusal(await run(), expected)
    expect(await storage().findPasskey(credential.id)).toEqual(before)
    expect(await sessionsOf(account.userId)).toHaveLength(sessions)
    // Every refusal went through the one failure function.
    const recorded = await auditEvents('signin.failed')
    expect(recorded).toHaveLength(failures + 1)
    expect(JSON.parse(recorded[0]?.detail ?? '{}')).toMatchObject({ reason: expected.error })
  }

  it.each<[string, Parameters<SoftwareAuthenticator['authenticate']>[2], Refusal]>([
    [
      'another origin',
      { origin: 'https://evil.example' },
      {
        status: 400,
        error: 'origin_mismatch',
        message: 'The passkey answer was made for another site (https://evil.example), not this one.',
      },
    ],
    [
      'another RP ID',
      { rpId: 'evil.example' },
      {
        status: 400,
        error: 'rp_id_mismatch',
        message: 'The passkey answer was made for another relying party, not 127.0.0.1.',
      },
    ],
    [
      'a user handle naming someone else',
      { userHandle: Buffer.from('usr_someone-else').toString('base64url') },
      {
        status: 401,
        error: 'unknown_credential',
        message: 'This passkey is not registered here. Sign in with your email instead.',
      },
    ],
    [
      'no user verification',
      { userVerified: false },
      {
        status: 400,
        error: 'user_verification_required',
        message:
          'The passkey did not verify you (PIN, fingerprint or face). Try again and confirm on your device.',
      },
    ],
  ])('%s', async (_label, overrides, expected) => {
    await unchanged(async () => (await signInWith(credential, overrides)).answer, expected)
  })

  it('a replayed and an expired challenge', async () => {
    // The replay comes with the pre-login cookie the first answer was sent with (sign-in clears it).
    const { web, csrf, options } = await signInPage()
    const replayer = new WebClient(running.url)
    for (const [name, value] of web.cookies) replayer.cookies.set(name, value)
    const response = device.authenticate(options, credential)
    const body = { csrf_token: csrf, response }
    expect((await postJson(web, '/passkeys/authentication/verify', body)).status).toBe(200)
    await unchanged(() => postJson(replayer, '/passkeys/authentication/verify', body), {
      status: 400,
      error: 'challenge_used',
      message: 'This passkey request was already answered. Start again.',
    })
    const page = await signInPage()
    const late = device.authenticate(page.options, credential)
    clock.advance(5 * 60_000 + 1)
    await unchanged(
      () => postJson(page.web, '/passkeys/authentication/verify', { csrf_token: page.csrf, response: late }),
      { status: 400, error: 'challenge_expired', message: 'This passkey request has expired. Start again.' },
    )
    // Bound to the browser that asked: another browser's pre-login flow does not know it.
    const first = await signInPage()
    const second = await signInPage()
    const answered = device.authenticate(first.options, credential)
    await unchanged(
      () =>
        postJson(second.web, '/passkeys/authentication/verify', {
          csrf_token: second.csrf,
          response: answered,
        }),
      {
        status: 400,
        error: 'challenge_unknown',
        message: 'This passkey answer does not belong to a request made in this browser. Start again.',
      },
    )
  })

  it('an unknown, a tampered and a revoked credential', async () => {
    const stranger = device.newCredential()
    Object.assign(stranger, { userHandle: Buffer.from(account.userId).toString('base64url') })
    await unchanged(async () => (await signInWith(stranger)).answer, {
      status: 401,
      error: 'unknown_credential',
      message: 'This passkey is not registered here. Sign in with your email instead.',
    })
    // The right credential id, signed by another key: the signature check refuses it.
    const forged = { ...stranger, id: credential.id, userHandle: credential.userHandle }
    await unchanged(async () => (await signInWith(forged)).answer, {
      status: 400,
      error: 'verification_failed',
      message: 'The passkey could not be verified.',
    })
    const revoked = await fetch(`${running.url}/admin/passkeys/${credential.id}/revoke`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    })
    expect(revoked.status).toBe(200)
    expect(((await revoked.json()) as { revoked_at: string | null }).revoked_at).toBe(
      new Date(clock.now()).toISOString(),
    )
    await unchanged(async () => (await signInWith(credential)).answer, {
      status: 401,
      error: 'revoked_credential',
      message: 'This passkey has been revoked. Sign in with your email instead.',
    })
    // Revoked passkeys leave the account page but stay in the admin list.
    expect((await account.web.get('/account')).text).not.toContain(credential.id)
    expect((await adminPasskeys(account.userId)).map((passkey) => passkey.id)).toContain(credential.id)
    credential = await addPasskey(account)
  })

  it('garbage JSON, a missing pre-login cookie, a wrong CSRF token', async () => {
    const page = await signInPage()
    const verify = (body: unknown, headers: Record<string, string> = {}) =>
      postJson(page.web, '/passkeys/authentication/verify', body, headers)
    await unchanged(() => verify('{not json'), {
      status: 400,
      error: 'invalid_request',
      message: expect.stringMatching(/^The request could not be read: /) as unknown as string,
    })
    await unchanged(() => verify({ csrf_token: page.csrf, response: { id: credential.id } }), {
      status: 400,
      error: 'invalid_request',
      message: 'The passkey answer is malformed: "rawId" must equal "id".',
    })
    await unchanged(() => verify({ csrf_token: 'nope', response: {} }), {
      status: 403,
      error: 'csrf_failed',
      message: 'This page has expired or was not sent from this site. Reload it and try again.',
    })
    await unchanged(
      () =>
        postJson(new WebClient(running.url), '/passkeys/authentication/verify', { csrf_token: page.csrf }),
      {
        status: 403,
        error: 'csrf_failed',
        message: 'Your sign-in has expired in this browser. Reload the page.',
      },
    )
  })
})

describe('counters and backup flags', () => {
  it('refuses a counter that went backwards and raises a security event; counters that stay 0 are fine', async () => {
    const account = await signedIn('clone')
    const synced = await addPasskey(account, 'ES256')
    for (let round = 0; round < 2; round++) expect((await signInWith(synced)).answer.status).toBe(200)
    expect((await storage().findPasskey(synced.id))?.signCount).toBe(0)

    clock.advance(1000)
    const counting = device.newCredential('ES256')
    counting.counter = 5
    const registered = await postJson(account.web, '/passkeys/registration/verify', {
      csrf_token: account.csrf,
      response: device.register(await registrationOptions(account), counting),
    })
    expect(registered.status).toBe(200)
    expect((await signInWith(counting)).answer.status).toBe(200)
    expect((await storage().findPasskey(counting.id))?.signCount).toBe(6)
    const sessions = (await sessionsOf(account.userId)).length
    for (const presented of [6, 3]) {
      const { answer } = await signInWith(counting, { counter: presented })
      expectRefusal(answer, {
        status: 401,
        error: 'counter_regression',
        message:
          'This passkey looks copied (its signature counter went backwards), so it was refused. Sign in with your email and check your passkeys.',
      })
    }
    expect((await storage().findPasskey(counting.id))?.signCount).toBe(6)
    expect(await sessionsOf(account.userId)).toHaveLength(sessions)
    await running.authority.context.audit.flush()
    const events = await fetch(`${running.url}/admin/security-events`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    })
    const listed = (await events.json()) as {
      events: { rule: string; subject: string; detail: Record<string, unknown> }[]
    }
    expect(listed.events.filter((event) => event.rule === 'passkey_counter_regression')).toEqual([
      expect.objectContaining({
        subject: account.userId,
        detail: expect.objectContaining({ stored: 6, presented: 3 }),
      }),
      expect.objectContaining({
        subject: account.userId,
        detail: expect.objectContaining({ stored: 6, presented: 6 }),
      }),
    ])
    // The genuine authenticator, one ahead, still signs in.
    expect((await signInWith(counting, { counter: 7 })).answer.status).toBe(200)
  })

  it('stores the backup flags and updates them as a synced passkey flips them; amr says swk', async () => {
    const account = await signedIn('backup')
    const credential = await addPasskey(account, 'EdDSA', { backupEligible: true })
    expect((await adminPasskeys(account.userId))[0]).toMatchObject({
      backup_eligible: true,
      backup_state: false,
    })
    for (const state of [true, false, true]) {
      credential.backupState = state
      const { answer } = await signInWith(credential)
      expect(answer.status, answer.text).toBe(200)
      expect((await adminPasskeys(account.userId))[0]).toMatchObject({
        backup_eligible: true,
        backup_state: state,
      })
    }
    const sessions = await sessionsOf(account.userId)
    expect(sessions.filter((session) => session.amr === JSON.stringify(['swk', 'user']))).toHaveLength(3)
    expect((await account.web.get('/account')).text).toContain('Synced')
  })
})

describe('README: Passkeys', () => {
  it('documents every refusal code with its status, and nothing else', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
    const section = readme.slice(
      readme.indexOf('## Passkeys'),
      readme.indexOf('## Devices and refresh tokens'),
    )
    const paragraph = section
      .slice(section.indexOf('Every refusal is a 4xx'), section.indexOf('A refused answer'))
      .replace(/\s+/g, ' ')
    const documented = new Map<string, number>()
    for (const match of paragraph.matchAll(/((?:`[a-z_]+`(?: \/ )?)+) \((\d{3})/g)) {
      for (const code of (match[1] ?? '').matchAll(/`([a-z_]+)`/g))
        documented.set(code[1] ?? '', Number(match[2]))
    }
    expect(Object.fromEntries(documented)).toEqual(PASSKEY_ERRORS)
  })

  it('deleting a user deletes their passkeys', async () => {
    const account = await signedIn('deleted')
    const credential = await addPasskey(account)
    const removed = await fetch(`${running.url}/admin/users/${account.userId}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    })
    expect(removed.status).toBe(204)
    expect(await storage().findPasskey(credential.id)).toBeUndefined()
    expect((await signInWith(credential)).body).toMatchObject({ error: 'unknown_credential' })
  })
})

describe('the sign-in lockout counts passkey failures (lockout/)', () => {
  const lockDir = tempDir()
  let main: RunningAuthority
  let mainDevice: SoftwareAuthenticator

  beforeAll(async () => {
    main = running
    mainDevice = device
    running = await startAuthority(
      {
        dataDir: lockDir.path,
        smtpUrl: smtp.url,
        rateLimitPerAddress: 100_000,
        lockoutFailures: 2,
        lockoutWait: 60,
        lockoutAddressFailures: 100_000,
      },
      clock,
    )
    device = new SoftwareAuthenticator(running.url)
  })
  afterAll(async () => {
    await running?.close()
    running = main
    device = mainDevice
    lockDir.remove()
  })

  it('locks the credential owner after the failures, refuses even a right answer, then lets it in', async () => {
    const account = await signedIn('locked-owner')
    const credential = await addPasskey(account)
    for (let failure = 0; failure < 2; failure++) {
      const refused = await signInWith(credential, { origin: 'https://evil.example' })
      expect([refused.answer.status, refused.body.error]).toEqual([400, 'origin_mismatch'])
    }
    const failed = await auditEvents('signin.failed')
    expect(failed.filter((event) => JSON.parse(event.detail).method === 'passkey')).toHaveLength(2)
    expect((await auditEvents('lockout.applied')).length).toBe(1)

    const sessions = (await sessionsOf(account.userId)).length
    const locked = await signInWith(credential)
    expect([locked.answer.status, locked.body.error, locked.body.retry_after]).toEqual([
      429,
      'too_many_attempts',
      60,
    ])
    expect(locked.answer.headers.get('retry-after')).toBe('60')
    expect(await sessionsOf(account.userId)).toHaveLength(sessions)

    clock.advance(61_000)
    expect((await signInWith(credential)).answer.status).toBe(200)
    // The good sign-in forgot the failures: one more failure does not lock again.
    expect((await signInWith(credential, { origin: 'https://evil.example' })).answer.status).toBe(400)
    expect((await signInWith(credential)).answer.status).toBe(200)
  })
})
