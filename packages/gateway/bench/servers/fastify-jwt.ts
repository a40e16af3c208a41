import httpProxy from '@fastify/http-proxy'
import fastifyJwt from '@fastify/jwt'
import Fastify from 'fastify'
import buildGetJwks from 'get-jwks'

/**
 * (c) The setup @fastify/jwt and get-jwks document together ("Usage with @fastify/jwt" in get-jwks's
 * README): the secret callback asks get-jwks for the PEM of the token's kid on every request.
 */
const getJwks = buildGetJwks()
const app = Fastify({ logger: false })
await app.register(fastifyJwt, {
  decode: { complete: true },
  secret: (_request: unknown, token: unknown) => {
    const {
      header: { kid, alg },
      payload: { iss },
    } = token as { header: { kid: string; alg: string }; payload: { iss: string } }
    return getJwks.getPublicKey({ kid, domain: iss, alg })
  },
  verify: { allowedIss: String(process.env.ISSUER), allowedAud: 'bench' },
})
app.addHook('onRequest', async (request, reply) => {
  try {
    await request.jwtVerify()
  } catch {
    return reply.code(401).send()
  }
  return undefined
})
await app.register(httpProxy, { upstream: String(process.env.UPSTREAM), prefix: '/' })
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) })
process.send?.('ready')
