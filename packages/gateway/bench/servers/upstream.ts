import { createServer } from 'node:http'

/** The small service every contender proxies to: a fixed JSON answer. Its own process. */
const body = JSON.stringify({ ok: true, items: [1, 2, 3] })
const server = createServer((request, response) => {
  request.resume()
  request.on('end', () => {
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
    response.end(body)
  })
})
server.keepAliveTimeout = 60_000
server.listen(Number(process.env.PORT), '127.0.0.1', () => process.send?.('ready'))
