import { once } from 'node:events'
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { exportJWK, generateKeyPair, type JWK, type Key, signJWT } from '../../src/index.js'

/** How the test's issuer answers GET /jwks.json; changed between requests by the test. */
export interface IssuerBehaviour {
  status: number
  contentType: string
  cacheControl: string | undefined
  /** Wait this long before answering (a slow issuer). */
  delayMs: number
  /** Send this body instead of the published set. */
  body: string | undefined
  /** Stream this many bytes of padding in 16 KiB chunks, without a Content-Length (an oversized set). */
  streamBytes: number
  /** Declare this Content-Length (and send the body as is). */
  contentLength: number | undefined
  /** Answer with a 302 to this path. */
  redirectTo: string | undefined
}

const DEFAULTS: IssuerBehaviour = {
  status: 200,
  contentType: 'application/json',
  cacheControl: undefined,
  delayMs: 0,
  body: undefined,
  streamBytes: 0,
  contentLength: undefined,
  redirectTo: undefined,
}

/** A real HTTP issuer on 127.0.0.1 that counts the requests it answers. */
export interface TestIssuer {
  readonly url: string
  /** Requests received for /jwks.json. */
  requests: number
  /** Requests received on any other path (a redirect target). */
  otherRequests: number
  lastHeaders: IncomingHttpHeaders | undefined
  publish(keys: readonly JWK[]): void
  behave(change: Partial<IssuerBehaviour>): void
  close(): Promise<void>
}

function answer(response: ServerResponse, behaviour: IssuerBehaviour, keys: readonly JWK[]): void {
  if (behaviour.redirectTo !== undefined) {
    response.writeHead(302, { location: behaviour.redirectTo }).end()
    return
  }
  const headers: Record<string, string> = { 'content-type': behaviour.contentType }
  if (behaviour.cacheControl !== undefined) headers['cache-control'] = behaviour.cacheControl
  if (behaviour.streamBytes > 0) {
    response.writeHead(behaviour.status, headers)
    const chunk = Buffer.alloc(16 * 1024, 0x20)
    let sent = 0
    const pump = (): void => {
      while (sent < behaviour.streamBytes && !response.destroyed) {
        sent += chunk.length
        if (!response.write(chunk)) return void response.once('drain', pump)
      }
      response.end()
    }
    response.on('error', () => {})
    pump()
    return
  }
  const body = behaviour.body ?? JSON.stringify({ keys })
  if (behaviour.contentLength !== undefined) headers['content-length'] = String(behaviour.contentLength)
  response.writeHead(behaviour.status, headers)
  response.end(body)
}

export async function startIssuer(): Promise<TestIssuer> {
  let keys: readonly JWK[] = []
  let behaviour = { ...DEFAULTS }
  const timers = new Set<NodeJS.Timeout>()
  const server: Server = createServer((request, response) => {
    if (request.url !== '/jwks.json') {
      issuer.otherRequests++
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [] }))
      return
    }
    issuer.requests++
    issuer.lastHeaders = request.headers
    const current = behaviour
    const published = keys
    if (current.delayMs === 0) return answer(response, current, published)
    const timer = setTimeout(() => {
      timers.delete(timer)
      if (!response.destroyed) answer(response, current, published)
    }, current.delayMs)
    timers.add(timer)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  const issuer: TestIssuer = {
    url: `http://127.0.0.1:${port}/jwks.json`,
    requests: 0,
    otherRequests: 0,
    lastHeaders: undefined,
    publish(next) {
      keys = [...next]
    },
    behave(change) {
      behaviour = { ...behaviour, ...change }
    },
    async close() {
      for (const timer of timers) clearTimeout(timer)
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
  return issuer
}

/** A signing key with its published (public) JWK. */
export interface TestKey {
  readonly kid: string
  readonly privateKey: Key
  readonly publicKey: Key
  readonly jwk: JWK
  sign(claims?: Record<string, unknown>, expiresIn?: number): Promise<string>
}

export const ISSUER = 'https://issuer.test'

export async function makeKey(alg: string, kid: string): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { kid })
  const jwk = await exportJWK(publicKey)
  return {
    kid,
    privateKey,
    publicKey,
    jwk,
    sign: (claims = {}, expiresIn = 600) =>
      signJWT(claims, privateKey, { alg, kid, issuer: ISSUER, expiresIn }),
  }
}

/** A clock the test moves by hand, for cache windows and backoff. */
export function manualClock(start = Date.now()): { now: () => number; advance(ms: number): void } {
  let time = start
  return {
    now: () => time,
    advance(ms) {
      time += ms
    },
  }
}

/** The code of a rejection or throw, for exact assertions. */
export async function codeOf(run: () => unknown): Promise<unknown> {
  try {
    await run()
  } catch (error) {
    return (error as { code?: unknown }).code ?? error
  }
  return 'no error'
}
