import { connect, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningAuthority, startAuthority, tempDir } from './helpers/authority.js'

/** Opens a raw connection and resolves with what the server sent and how long until it hung up. */
function watch(url: string, start: (socket: Socket) => void): Promise<{ ms: number; received: string }> {
  const { port, hostname } = new URL(url)
  return new Promise((resolve, reject) => {
    const began = Date.now()
    let received = ''
    const socket = connect(Number(port), hostname, () => start(socket))
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1')
    })
    socket.on('error', () => {})
    socket.on('close', () => resolve({ ms: Date.now() - began, received }))
    setTimeout(() => {
      socket.destroy()
      reject(new Error(`the server still held the connection after 8 s; received: ${received}`))
    }, 8000).unref()
  })
}

/** Issue 11 item 3: request, header and idle timeouts cut off connections that trickle or idle. */
describe('request and connection timeouts', () => {
  const dir = tempDir()
  let server: RunningAuthority

  beforeAll(async () => {
    server = await startAuthority({
      dataDir: dir.path,
      requestTimeout: 1.5,
      headersTimeout: 1,
      connectionTimeout: 3,
      keepAliveTimeout: 1,
    })
  })
  afterAll(async () => {
    await server?.close()
    dir.remove()
  })

  it('cuts off a body trickled one byte at a time with 408', async () => {
    let timer: NodeJS.Timeout | undefined
    const result = await watch(server.url, (socket) => {
      socket.write(
        'POST /oauth/token HTTP/1.1\r\nhost: x\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: 1000\r\n\r\n',
      )
      timer = setInterval(() => socket.writable && socket.write('a'), 200)
    })
    clearInterval(timer)
    expect(result.received).toMatch(/^HTTP\/1\.1 408 /)
    expect(result.ms).toBeLessThan(4000)
  })

  it('cuts off headers trickled one byte at a time', async () => {
    const head = 'GET /.well-known/jwks.json HTTP/1.1\r\nhost: x\r\nx-slow: '
    let timer: NodeJS.Timeout | undefined
    const result = await watch(server.url, (socket) => {
      socket.write(head)
      timer = setInterval(() => socket.writable && socket.write('a'), 200)
    })
    clearInterval(timer)
    expect(result.received).toMatch(/^HTTP\/1\.1 408 /)
    expect(result.ms).toBeLessThan(4000)
  })

  it('closes an idle keep-alive connection after the keep-alive timeout', async () => {
    const result = await watch(server.url, (socket) => {
      socket.write('GET /.well-known/jwks.json HTTP/1.1\r\nhost: x\r\n\r\n')
    })
    expect(result.received).toMatch(/^HTTP\/1\.1 200 /)
    expect(result.ms).toBeLessThan(3000)
  })
})
