import type { AddressInfo } from 'node:net'
import { connect } from 'node:net'
import { JOSEError, unsafeDecodeJWT } from '@tessera/jose'
import type { FastifyBaseLogger } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { answerTokenRequestsAtFrontDoor } from '../src/endpoints/token-front-door.js'
import { errorResponse } from '../src/lib/error-response.js'
import { FrontDoor } from '../src/lib/graceful-shutdown.js'
import {
  ADMIN_TOKEN,
  basic,
  type RunningAuthority,
  registerClient,
  startAuthority,
  tempDir,
} from './helpers/authority.js'

/**
 * The token endpoint's plain requests are answered ahead of Fastify (endpoints/token-front-door.ts).
 * The same request with an empty query string (`/oauth/token?`) is not the exact path, so Fastify's
 * route answers it: every case here is sent both ways and must be answered alike.
 */
const dir = tempDir()
let running: RunningAuthority
let client: { client_id: string; client_secret: string }
const FORM = 'application/x-www-form-urlencoded'

/**
 * A second front door on the running authority's context, whose "Fastify" only records what it was
 * left: it shows which requests the front door takes, and that it reads nothing of those it leaves.
 */
let door: { url: string; left: string[]; close(): Promise<void> }

beforeAll(async () => {
  running = await startAuthority({ dataDir: dir.path, bodyLimit: 4096 })
  const front = new FrontDoor()
  answerTokenRequestsAtFrontDoor(front, running.authority.context)
  const left: string[] = []
  const server = front.serverFactory((request, response) => {
    let bytes = 0
    request.on('data', (chunk: Buffer) => {
      bytes += chunk.length
    })
    request.on('end', () => {
      left.push(`${request.url} ${bytes}`)
      response.writeHead(299).end()
    })
  }, {})
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address() as AddressInfo
  door = {
    url: `http://127.0.0.1:${address.port}`,
    left,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
  client = await registerClient(running.url, {
    scope: 'read write',
    resources: ['https://api.example'],
  })
})

afterAll(async () => {
  await door.close()
  await running.close()
  dir.remove()
})

interface Answer {
  status: number
  headers: Record<string, string>
  body: Record<string, unknown>
  /** Fastify may close a connection after a body its parser refused; the front door has read it. */
  connection: string | null
}

/** The answer without what differs between two correct answers: date, and a fresh token's identity. */
async function send(path: string, init: { headers: Record<string, string>; body: string }): Promise<Answer> {
  const response = await fetch(`${running.url}${path}`, { method: 'POST', ...init })
  const headers = Object.fromEntries(
    [...response.headers].filter(([name]) => !['date', 'connection', 'keep-alive'].includes(name)),
  )
  const body = (await response.json()) as Record<string, unknown>
  if (typeof body.access_token === 'string') {
    const { payload, protectedHeader } = unsafeDecodeJWT(body.access_token)
    const { jti, iat, exp, ...claims } = payload
    expect(typeof jti).toBe('string')
    expect(exp).toBe((iat as number) + 900)
    body.access_token = { header: protectedHeader, claims }
    delete headers['content-length']
  }
  return { status: response.status, headers, body, connection: response.headers.get('connection') }
}

async function bothWays(
  init: { headers: Record<string, string>; body: string },
  expectSameConnection = true,
): Promise<Answer> {
  const front = await send('/oauth/token', init)
  const fastify = await send('/oauth/token?', init)
  if (expectSameConnection) expect(front).toEqual(fastify)
  else expect({ ...front, connection: null }).toEqual({ ...fastify, connection: null })
  return front
}

const form = (params: Record<string, string>) => new URLSearchParams(params).toString()

describe('token requests answered at the front door, exactly as the Fastify route answers them', () => {
  it('a client_credentials token', async () => {
    const answer = await bothWays({
      headers: { authorization: basic(client.client_id, client.client_secret), 'content-type': FORM },
      body: form({ grant_type: 'client_credentials', scope: 'read', resource: 'https://api.example' }),
    })
    expect(answer.status).toBe(200)
    expect(answer.headers).toEqual({
      vary: 'Origin',
      'cache-control': 'no-store',
      pragma: 'no-cache',
      'content-type': 'application/json; charset=utf-8',
    })
    expect(answer.body).toMatchObject({ token_type: 'Bearer', expires_in: 900, scope: 'read' })
  })

  it.each([
    ['a media type with a charset, in capitals', `${FORM.toUpperCase()}; charset=UTF-8`],
    ['a media type with spaces before its parameter', `${FORM} ; charset=utf-8`],
  ])('%s', async (_name, contentType) => {
    const answer = await bothWays({
      headers: { authorization: basic(client.client_id, client.client_secret), 'content-type': contentType },
      body: form({ grant_type: 'client_credentials' }),
    })
    expect(answer.status).toBe(200)
  })

  it.each([
    ['a wrong secret', { authorization: 'wrong' }, {}, 401, 'invalid_client'],
    ['no grant_type', {}, { grant_type: undefined }, 400, 'invalid_request'],
    ['an unknown grant_type', {}, { grant_type: 'password' }, 400, 'unsupported_grant_type'],
    [
      'a grant the client is not registered for',
      {},
      { grant_type: 'refresh_token' },
      400,
      'unauthorized_client',
    ],
    ['a scope beyond the registered ones', {}, { scope: 'admin' }, 400, 'invalid_scope'],
    ['a resource not registered', {}, { resource: 'https://other.example' }, 400, 'invalid_target'],
  ] as const)('%s', async (_name, headerChanges, formChanges, status, error) => {
    const params: Record<string, string> = { grant_type: 'client_credentials' }
    for (const [name, value] of Object.entries(formChanges)) {
      if (value === undefined) delete params[name]
      else params[name] = value
    }
    const secret = 'authorization' in headerChanges ? 'not-the-secret' : client.client_secret
    const answer = await bothWays({
      headers: { authorization: basic(client.client_id, secret), 'content-type': FORM },
      body: form(params),
    })
    expect(answer.status).toBe(status)
    expect(answer.body.error).toBe(error)
    expect(answer.headers['cache-control']).toBe('no-store')
    expect(answer.headers.vary).toBe('Origin')
    if (status === 401) expect(answer.headers['www-authenticate']).toBe('Basic realm="tessera"')
  })

  it('a repeated parameter, and a second resource', async () => {
    const headers = { authorization: basic(client.client_id, client.client_secret), 'content-type': FORM }
    const body = 'grant_type=client_credentials&scope=read&scope=write'
    const repeated = await bothWays({ headers, body }, false)
    expect(repeated).toMatchObject({ status: 400, body: { error: 'invalid_request' } })
    const resources = await bothWays(
      {
        headers,
        body: 'grant_type=client_credentials&resource=https%3A%2F%2Fa.example&resource=https%3A%2F%2Fb.example',
      },
      false,
    )
    expect(resources).toMatchObject({ status: 400, body: { error: 'invalid_target' } })
  })

  it('client credentials in the body instead of Basic', async () => {
    const answer = await bothWays({
      headers: { 'content-type': FORM },
      body: form({
        grant_type: 'client_credentials',
        client_id: client.client_id,
        client_secret: client.client_secret,
      }),
    })
    // Registered for client_secret_basic: the body method is refused, the same way on both paths.
    expect(answer.status).toBe(401)
  })
})

describe('requests the front door leaves to Fastify', () => {
  it('a body over the limit gets 413 with the standard body', async () => {
    const answer = await send('/oauth/token', {
      headers: { authorization: basic(client.client_id, client.client_secret), 'content-type': FORM },
      body: `grant_type=client_credentials&pad=${'x'.repeat(5000)}`,
    })
    expect(answer.status).toBe(413)
    expect(answer.body.error).toBe('invalid_request')
  })

  it('a browser request with an Origin header goes through the CORS hook', async () => {
    const response = await fetch(`${running.url}/oauth/token`, {
      method: 'POST',
      headers: {
        origin: 'https://evil.example',
        authorization: basic(client.client_id, client.client_secret),
        'content-type': FORM,
      },
      body: form({ grant_type: 'client_credentials' }),
    })
    expect(response.status).toBe(200)
    // Not an allowed origin: no CORS grant, so the browser will not let that page read it.
    expect(response.headers.get('access-control-allow-origin')).toBeNull()
    expect(response.headers.get('vary')).toBe('Origin')
  })

  it('another media type gets the invalid_request of the route', async () => {
    const answer = await send('/oauth/token', {
      headers: { authorization: basic(client.client_id, client.client_secret), 'content-type': 'text/plain' },
      body: form({ grant_type: 'client_credentials' }),
    })
    expect(answer.status).toBe(400)
    expect(answer.body).toEqual({
      error: 'invalid_request',
      error_description: 'the body must be application/x-www-form-urlencoded',
    })
  })
})

describe('which requests the front door takes', () => {
  const plain = () => ({
    authorization: basic(client.client_id, client.client_secret),
    'content-type': FORM,
  })
  const body = form({ grant_type: 'client_credentials' })

  it('takes a plain token request and answers it itself', async () => {
    const response = await fetch(`${door.url}/oauth/token`, { method: 'POST', headers: plain(), body })
    expect(response.status).toBe(200)
    expect(((await response.json()) as { token_type: string }).token_type).toBe('Bearer')
    expect(door.left).toEqual([])
  })

  it.each([
    ['another path', '/oauth/token?x=1', {}, body],
    ['an Origin header', '/oauth/token', { origin: 'https://app.example' }, body],
    ['another media type', '/oauth/token', { 'content-type': 'application/json' }, body],
    ['a media type that only starts like the form', '/oauth/token', { 'content-type': `${FORM}x` }, body],
    ['an empty body', '/oauth/token', {}, ''],
    ['a body over the limit', '/oauth/token', {}, `${body}&pad=${'x'.repeat(5000)}`],
  ])('leaves %s to Fastify, body unread', async (_name, path, headers, sent) => {
    door.left.length = 0
    const response = await fetch(`${door.url}${path}`, {
      method: 'POST',
      headers: { ...plain(), ...headers },
      body: sent,
    })
    expect(response.status).toBe(299)
    expect(door.left).toEqual([`${path} ${Buffer.byteLength(sent)}`])
  })

  it('leaves a chunked body to Fastify, body unread', async () => {
    door.left.length = 0
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(body))
        controller.close()
      },
    })
    const response = await fetch(`${door.url}/oauth/token`, {
      method: 'POST',
      headers: plain(),
      body: stream,
      duplex: 'half',
    } as RequestInit)
    expect(response.status).toBe(299)
    expect(door.left).toEqual([`/oauth/token ${body.length}`])
  })
})

describe('the front door under hostile clients', () => {
  it('a body cut off mid-way is dropped; the server answers the next request and counts no answer', async () => {
    const before = await tokenRequestCount()
    await new Promise<void>((resolve, reject) => {
      const socket = connect(Number(new URL(running.url).port), '127.0.0.1', () => {
        socket.write(
          `POST /oauth/token HTTP/1.1\r\nhost: x\r\ncontent-type: ${FORM}\r\ncontent-length: 400\r\n\r\ngrant_type=client`,
        )
        setTimeout(() => socket.destroy(), 50)
      })
      socket.on('close', () => resolve())
      socket.on('error', reject)
    })
    const answer = await send('/oauth/token', {
      headers: { authorization: basic(client.client_id, client.client_secret), 'content-type': FORM },
      body: form({ grant_type: 'client_credentials' }),
    })
    expect(answer.status).toBe(200)
    expect(await tokenRequestCount()).toBe(before + 1)
  })

  it('counts every answer in the request and token metrics', async () => {
    const before = await tokenRequestCount()
    const issuedBefore = await issuedCount()
    for (const secret of [client.client_secret, 'wrong', client.client_secret]) {
      await send('/oauth/token', {
        headers: { authorization: basic(client.client_id, secret), 'content-type': FORM },
        body: form({ grant_type: 'client_credentials' }),
      })
    }
    expect(await tokenRequestCount()).toBe(before + 2)
    expect(await tokenRequestCount('401')).toBeGreaterThanOrEqual(1)
    expect(await issuedCount()).toBe(issuedBefore + 2)
  })
})

async function metricsText(): Promise<string> {
  const response = await fetch(`${running.url}/metrics`, {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  })
  expect(response.status).toBe(200)
  return response.text()
}

async function tokenRequestCount(status = '200'): Promise<number> {
  const line = (await metricsText())
    .split('\n')
    .find((row) =>
      row.startsWith(`tessera_http_requests_total{route="/oauth/token",method="POST",status="${status}"}`),
    )
  return line === undefined ? 0 : Number(line.split(' ').pop())
}

async function issuedCount(): Promise<number> {
  const line = (await metricsText())
    .split('\n')
    .find((row) => row.startsWith('tessera_tokens_issued_total{grant_type="client_credentials"}'))
  return line === undefined ? 0 : Number(line.split(' ').pop())
}

describe('signing unavailable', () => {
  it('is 503 temporarily_unavailable with Retry-After, logged as a warning, not a 500', () => {
    const logged: string[] = []
    const log = {
      warn: () => logged.push('warn'),
      error: () => logged.push('error'),
    } as unknown as FastifyBaseLogger
    const error = new JOSEError('ERR_JOSE_SIGNING_UNAVAILABLE', 'the signing threads are closed')
    expect(errorResponse(error, log)).toEqual({
      status: 503,
      headers: { 'retry-after': '1' },
      body: {
        error: 'temporarily_unavailable',
        error_description: 'signing is unavailable; retry the request',
      },
    })
    expect(logged).toEqual(['warn'])
    // Any other failure is still the logged 500.
    expect(errorResponse(new Error('boom'), log).status).toBe(500)
    expect(logged).toEqual(['warn', 'error'])
  })
})
