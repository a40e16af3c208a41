import httpProxy from '@fastify/http-proxy'
import Fastify from 'fastify'
import { createRemoteJWKSet, jwtVerify } from 'jose'

/** (b) What a Node team writes by hand: jose's createRemoteJWKSet + jwtVerify in onRequest, then the same proxy. */
const issuer = String(process.env.ISSUER)
const jwks = createRemoteJWKSet(new URL(String(process.env.JWKS_URI)))
const app = Fastify({ logger: false })
app.addHook('onRequest', async (request, reply) => {
  const header = request.headers.authorization
  if (!header?.startsWith('Bearer ')) return reply.code(401).send()
  try {
    await jwtVerify(header.slice(7), jwks, { issuer, audience: 'bench', algorithms: ['ES256'] })
  } catch {
    return reply.code(401).send()
  }
  return undefined
})
await app.register(httpProxy, { upstream: String(process.env.UPSTREAM), prefix: '/' })
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) })
process.send?.('ready')
