import { Agent, type ClientRequest, request } from 'node:http'
import { connect } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { basic, freePort, tempDir } from './helpers/authority.js'
import { type AuthorityProcess, buildServer, spawnAuthority } from './helpers/authority-process.js'
import { assertion, deviceKey, login, registerDevice, registerFleetClient } from './helpers/devices.js'

interface Answer {
  status: number
  connection: string | undefined
}

/** Keep-alive connections, as a pooling client (or a proxy) holds them: the case that used to hang. */
const keepAlive = new Agent({ keepAlive: true, maxSockets: 100 })

/** Sends the headers and half the body now; `finish()` sends the rest and resolves with the answer. */
function halfSent(url: string, path: string, body: string, authorization: string) {
  let req: ClientRequest | undefined
  const answer = new Promise<Answer>((resolve, reject) => {
    req = request(`${url}${path}`, {
      method: 'POST',
      agent: keepAlive,
      headers: {
        authorization,
        'content-type': 'application/x-www-form-urlencoded',
        'content-length': Buffer.byteLength(body),
      },
    })
    req.on('response', (res) => {
      res.resume()
      res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection }))
    })
    req.on('error', reject)
    req.flushHeaders()
    req.write(body.slice(0, body.length >> 1))
  })
  return { answer, finish: () => req?.end(body.slice(body.length >> 1)) }
}

function exitOf(server: AuthorityProcess): Promise<{ code: number | null; at: number }> {
  return new Promise((resolve) => server.child.once('exit', (code) => resolve({ code, at: Date.now() })))
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Issue 11 item 13: SIGTERM to the real `npm start` process with requests in flight. Every in-flight
 * request is answered, anything new on a kept-open connection gets 503 and `Connection: close`, and
 * the process exits within its drain deadline — or, past the hard deadline, anyway.
 */
describe('graceful shutdown', () => {
  const dir = tempDir()
  let entry: string

  beforeAll(async () => {
    entry = (await buildServer()).entry
  })
  afterAll(() => {
    keepAlive.destroy()
    dir.remove()
  })

  it('answers all 50 in-flight refreshes, refuses new requests with 503, and exits in time', async () => {
    const port = await freePort()
    const server = await spawnAuthority(
      entry,
      {
        TESSERA_DATA_DIR: `${dir.path}/drain`,
        TESSERA_ISSUER: `http://127.0.0.1:${port}`,
        TESSERA_LOG_LEVEL: 'info',
        TESSERA_DRAIN_TIMEOUT: '5',
        TESSERA_SHUTDOWN_TIMEOUT: '10',
      },
      port,
    )
    try {
      const fleet = await registerFleetClient(server.url)
      const key = await deviceKey()
      await registerDevice(server.url, key, { id: 'dev-drain' })
      const logins = await Promise.all(
        Array.from({ length: 51 }, async () =>
          login(server.url, fleet, await assertion(key, 'dev-drain', server.url)),
        ),
      )
      expect(logins.map((answer) => answer.status)).toEqual(Array(51).fill(200))
      const tokens = logins.map((answer) => answer.body.refresh_token as string)
      const authorization = basic(fleet.client_id, fleet.client_secret)
      const form = (token: string) => `grant_type=refresh_token&refresh_token=${token}`
      const inFlight = tokens
        .slice(0, 50)
        .map((token) => halfSent(server.url, '/oauth/token', form(token), authorization))
      // One more connection, whose request has not fully arrived when the drain starts: it is new work,
      // which the draining server refuses with 503 and Connection: close rather than start.
      const piped = connect(port, '127.0.0.1')
      let pipedText = ''
      piped.on('data', (chunk) => {
        pipedText += chunk.toString('latin1')
      })
      piped.on('error', () => {})
      const lastForm = form(tokens[50] as string)
      const head = `POST /oauth/token HTTP/1.1\r\nhost: x\r\nauthorization: ${authorization}\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: ${lastForm.length}\r\n\r\n`
      piped.write(head.slice(0, 20))
      await sleep(500)
      const exited = exitOf(server)
      const signalled = Date.now()
      server.child.kill('SIGTERM')
      await sleep(300)
      for (const request of inFlight) request.finish()
      piped.write(head.slice(20) + lastForm)
      const answers = await Promise.all(inFlight.map((request) => request.answer))
      expect(answers.map((answer) => answer.status)).toEqual(Array(50).fill(200))
      const { code, at } = await exited
      expect(code).toBe(0)
      expect(at - signalled).toBeLessThan(5000)
      // Draining: each answer tells the client to take its next request elsewhere.
      expect(answers.map((answer) => answer.connection)).toEqual(Array(50).fill('close'))
      expect(pipedText).toMatch(/^HTTP\/1\.1 503 /)
      expect(pipedText).toMatch(/\r\nconnection: close\r\n/i)
      expect(pipedText).toContain('"error":"temporarily_unavailable"')
      expect(server.output()).toMatch(/"msg":"shutdown complete"/)
    } finally {
      await server.stop()
    }
  }, 40_000)

  /**
   * An authority with one token request stuck half-sent, stopped with SIGTERM: its exit code, how
   * long after the signal it exited, and its log.
   */
  async function stopWithStuckRequest(name: string, drainTimeout: string, shutdownTimeout: string) {
    const port = await freePort()
    const server = await spawnAuthority(
      entry,
      {
        TESSERA_DATA_DIR: `${dir.path}/${name}`,
        TESSERA_DRAIN_TIMEOUT: drainTimeout,
        TESSERA_SHUTDOWN_TIMEOUT: shutdownTimeout,
        TESSERA_REQUEST_TIMEOUT: '60',
      },
      port,
    )
    try {
      const stuck = halfSent(server.url, '/oauth/token', 'grant_type=client_credentials', 'Basic eDp5')
      stuck.answer.catch(() => {})
      await sleep(300)
      const exited = exitOf(server)
      const signalled = Date.now()
      server.child.kill('SIGTERM')
      const { code, at } = await exited
      return { code, elapsed: at - signalled, output: server.output() }
    } finally {
      await server.stop()
    }
  }

  it('closes what is still in flight at the drain deadline and logs it', async () => {
    const { code, elapsed, output } = await stopWithStuckRequest('deadline', '1', '10')
    expect(code).toBe(0)
    expect(elapsed).toBeGreaterThanOrEqual(900)
    expect(elapsed).toBeLessThan(4000)
    expect(output).toMatch(/"abandoned":1,.*"msg":"drain deadline passed/)
  }, 30_000)

  it('exits at the hard deadline even when draining would take longer', async () => {
    const { code, elapsed, output } = await stopWithStuckRequest('hard', '30', '1.5')
    expect(code).toBe(1)
    expect(elapsed).toBeGreaterThanOrEqual(1400)
    expect(elapsed).toBeLessThan(4000)
    expect(output).toMatch(/"abandoned":1,.*"msg":"shutdown deadline passed/)
  }, 30_000)
})
