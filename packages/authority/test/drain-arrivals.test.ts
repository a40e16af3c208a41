import { connect, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort, tempDir } from './helpers/authority.js'
import { type AuthorityProcess, buildServer, spawnAuthority } from './helpers/authority-process.js'

interface RawAnswer {
  /** Everything the server sent before the connection ended. */
  text: string
  /** The socket error, when the connection ended with one (ECONNRESET: the request was thrown away). */
  error: string | undefined
}

/** A raw connection that sends `request` once connected and collects the answer until the end. */
function rawExchange(port: number): { socket: Socket; connected: Promise<void>; answer: Promise<RawAnswer> } {
  const socket = connect(port, '127.0.0.1')
  let text = ''
  let error: string | undefined
  socket.on('data', (chunk) => {
    text += chunk.toString('latin1')
  })
  socket.on('error', (cause: NodeJS.ErrnoException) => {
    error = cause.code ?? cause.message
  })
  const connected = new Promise<void>((resolve) => socket.once('connect', () => resolve()))
  const answer = new Promise<RawAnswer>((resolve) => socket.once('close', () => resolve({ text, error })))
  return { socket, connected, answer }
}

/** The status lines and `Connection` headers of the HTTP/1.1 responses in `text`, in order. */
function responses(text: string): { status: number; connection: string | undefined }[] {
  return [...text.matchAll(/HTTP\/1\.1 (\d{3}) [^\r]*\r\n((?:[^\r]+\r\n)*)\r\n/g)].map((match) => ({
    status: Number(match[1]),
    connection: /^connection: *([^\r]+)\r$/im.exec(match[2] ?? '')?.[1]?.toLowerCase(),
  }))
}

function exitOf(server: AuthorityProcess): Promise<number | null> {
  return new Promise((resolve) => server.child.once('exit', (code) => resolve(code)))
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const JWKS_REQUEST = 'GET /.well-known/jwks.json HTTP/1.1\r\nhost: x\r\n\r\n'

/**
 * The drain seen from the sockets: what arrives while the server stops — connections still in the
 * accept queue, requests the server has not parsed yet, a request pipelined behind one in flight —
 * is answered (its answer or a 503 with `Connection: close`), never reset.
 */
describe('draining answers what arrives during the stop', () => {
  const dir = tempDir()
  let entry: string

  beforeAll(async () => {
    entry = (await buildServer()).entry
  })
  afterAll(() => dir.remove())

  it('answers 20 connections that were queued, unread, when SIGTERM came', async () => {
    const port = await freePort()
    const server = await spawnAuthority(
      entry,
      { TESSERA_DATA_DIR: `${dir.path}/queued`, TESSERA_DRAIN_TIMEOUT: '5', TESSERA_SHUTDOWN_TIMEOUT: '10' },
      port,
    )
    try {
      // Once it has answered a request its signal handlers are in place (the banner comes just before).
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200)
      // Paused, the process can neither accept nor read: the kernel queues the connections and their
      // requests, as it does for a busy server. SIGTERM then arrives together with all of them.
      server.child.kill('SIGSTOP')
      const exchanges = Array.from({ length: 20 }, () => rawExchange(port))
      await Promise.all(exchanges.map((exchange) => exchange.connected))
      for (const exchange of exchanges) exchange.socket.write(JWKS_REQUEST)
      await sleep(100)
      const exited = exitOf(server)
      server.child.kill('SIGTERM')
      server.child.kill('SIGCONT')
      const answers = await Promise.all(exchanges.map((exchange) => exchange.answer))
      expect(answers.map((answer) => answer.error)).toEqual(Array(20).fill(undefined))
      for (const answer of answers) {
        const [only, ...more] = responses(answer.text)
        expect(more).toEqual([])
        expect([200, 503]).toContain(only?.status)
        // Read before the signal was handled: answered as usual, the idle connection closed later.
        // Read after: refused as new work, and the connection closed with the answer.
        if (only?.status === 503) {
          expect(only.connection).toBe('close')
          expect(answer.text).toContain('"error":"temporarily_unavailable"')
        }
      }
      expect(await exited).toBe(0)
    } finally {
      await server.stop()
    }
  }, 30_000)

  it('answers a request pipelined behind one in flight, and closes after the last answer', async () => {
    const port = await freePort()
    const server = await spawnAuthority(
      entry,
      {
        TESSERA_DATA_DIR: `${dir.path}/pipelined`,
        TESSERA_DRAIN_TIMEOUT: '5',
        TESSERA_SHUTDOWN_TIMEOUT: '10',
      },
      port,
    )
    try {
      const exchange = rawExchange(port)
      await exchange.connected
      // A keep-alive connection that already had an answer, then a token request whose body is
      // half sent when the drain starts: it is in flight.
      exchange.socket.write(JWKS_REQUEST)
      await sleep(200)
      const body = 'grant_type=client_credentials&scope=read'
      exchange.socket.write(
        `POST /oauth/token HTTP/1.1\r\nhost: x\r\nauthorization: Basic eDp5\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: ${body.length}\r\n\r\n${body.slice(0, 10)}`,
      )
      await sleep(200)
      const exited = exitOf(server)
      server.child.kill('SIGTERM')
      await sleep(300)
      // The rest of the body and, pipelined behind it in the same packet, one more request.
      exchange.socket.write(`${body.slice(10)}${JWKS_REQUEST}`)
      const answer = await exchange.answer
      expect(answer.error).toBeUndefined()
      expect(responses(answer.text)).toEqual([
        { status: 200, connection: 'keep-alive' },
        // The in-flight request is answered (the bogus client is refused), keeping the connection
        // open for the request already read behind it, which is refused as new work.
        { status: 401, connection: 'keep-alive' },
        { status: 503, connection: 'close' },
      ])
      expect(await exited).toBe(0)
    } finally {
      await server.stop()
    }
  }, 30_000)
})
