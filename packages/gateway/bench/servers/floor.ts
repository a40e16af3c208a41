import httpProxy from '@fastify/http-proxy'
import Fastify from 'fastify'

/** (a) The floor: Fastify + @fastify/http-proxy, no verification at all. */
const app = Fastify({ logger: false })
await app.register(httpProxy, { upstream: String(process.env.UPSTREAM), prefix: '/' })
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) })
process.send?.('ready')
// Exit cleanly on SIGTERM, so BENCH_NODE_ARGS=--cpu-prof writes a profile of the floor too.
process.once('SIGTERM', () => app.close().then(() => process.exit(0)))
