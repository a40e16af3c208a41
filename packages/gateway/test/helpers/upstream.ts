import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import { WebSocketServer } from 'ws'

export interface SeenRequest {
  readonly method: string
  readonly url: string
  readonly headers: IncomingHttpHeaders
  readonly bodyBytes: number
}

export interface TestUpstream {
  readonly url: string
  readonly seen: SeenRequest[]
  close(): Promise<void>
}

/**
 * The service behind the gateway: records what reached it. `/echo` answers with the headers it got,
 * `/upload` counts a streamed body, `…/download/<bytes>` streams a body back, `…/slow` never answers
 * in time, every upgrade is a WebSocket echo that greets with the identity it was given.
 */
export async function startUpstream(): Promise<TestUpstream> {
  const seen: SeenRequest[] = []
  const server: Server = createServer((request, response) => {
    let bodyBytes = 0
    request.on('data', (chunk: Buffer) => {
      bodyBytes += chunk.length
    })
    request.on('end', () => {
      seen.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, bodyBytes })
      const path = request.url?.split('?')[0] ?? ''
      if (path.includes('/download/')) {
        const total = Number(path.slice(path.indexOf('/download/') + '/download/'.length))
        response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': total })
        const chunk = Buffer.alloc(64 * 1024, 0x61)
        let sent = 0
        const pump = () => {
          while (sent < total) {
            const piece = chunk.subarray(0, Math.min(chunk.length, total - sent))
            sent += piece.length
            if (!response.write(piece)) return void response.once('drain', pump)
          }
          response.end()
        }
        pump()
        return
      }
      if (path.endsWith('/slow')) return // never answers: the gateway's timeout must fire
      if (path === '/app') {
        response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        response.end('<!doctype html><title>app</title><h1>app</h1>')
        return
      }
      response.writeHead(200, {
        'content-type': 'application/json',
        connection: 'keep-alive, x-upstream-hop',
        'x-upstream-hop': 'must not reach the client',
      })
      response.end(JSON.stringify({ path, method: request.method, headers: request.headers, bodyBytes }))
    })
  })
  const wss = new WebSocketServer({ server })
  wss.on('connection', (socket, request) => {
    socket.send(JSON.stringify({ subject: request.headers['x-tessera-subject'] ?? null }))
    socket.on('message', (data) => socket.send(`echo:${data.toString()}`))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: async () => {
      for (const client of wss.clients) client.terminate()
      wss.close()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
