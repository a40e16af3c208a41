import { createServer, type Server } from 'node:http'
import express from 'express'
import Fastify from 'fastify'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  createTokenVerifier,
  fastifyTokenVerifier,
  type Identity,
  type TokenVerifier,
  tokenVerifierMiddleware,
  withTokenVerification,
} from '../src/index.js'
import { type LocalIssuer, startLocalIssuer } from './helpers/local-issuer.js'

let issuer: LocalIssuer
let verifier: TokenVerifier

beforeAll(async () => {
  issuer = await startLocalIssuer()
  verifier = createTokenVerifier({
    issuer: issuer.issuer,
    audience: 'orders',
    algorithms: ['ES256'],
    allowInsecureHttp: true,
  })
})
afterAll(() => issuer.close())

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
}

/** Each adapter must answer the same three requests the same way. */
async function exercise(url: string) {
  const good = await issuer.sign({ scope: 'read' })
  const ok = await fetch(url, { headers: { authorization: `Bearer ${good}` } })
  expect(ok.status).toBe(200)
  expect(await ok.text()).toBe('alice')
  const none = await fetch(url)
  expect(none.status).toBe(401)
  expect(none.headers.get('www-authenticate')).toBe('Bearer realm="orders"')
  const narrow = await issuer.sign({ scope: 'other' })
  const refused = await fetch(url, { headers: { authorization: `Bearer ${narrow}` } })
  expect(refused.status).toBe(403)
  expect(refused.headers.get('www-authenticate')).toContain('scope="read"')
  expect(await refused.json()).toMatchObject({ error: 'insufficient_scope', scope: 'read' })
}

describe('adapters over the one verifier', () => {
  test('Fastify plugin: route { scopes }, { public: true }, protected by default', async () => {
    const app = Fastify()
    await app.register(fastifyTokenVerifier, { verifier })
    app.get('/orders', { scopes: ['read'] }, async (request) => request.identity?.sub)
    app.get('/open', { public: true }, async (request) => ({ identity: request.identity }))
    app.get('/plain', async (request) => request.identity?.sub)
    const url = await app.listen({ host: '127.0.0.1', port: 0 })
    try {
      await exercise(`${url}/orders`)
      expect(await (await fetch(`${url}/open`)).json()).toEqual({ identity: null })
      expect((await fetch(`${url}/plain`)).status).toBe(401)
    } finally {
      await app.close()
    }
  })

  test('Express 5 middleware: per route, and with app.use in front of a router', async () => {
    const app = express()
    app.get('/health', (_request, response) => {
      response.send('up')
    })
    app.get('/orders', tokenVerifierMiddleware(verifier, { scopes: ['read'] }), (request, response) => {
      response.send((request as { identity?: Identity }).identity?.sub)
    })
    const api = express.Router()
    api.use(tokenVerifierMiddleware(verifier))
    api.get('/me', (request, response) => {
      const identity = (request as { identity?: Identity }).identity
      response.json({ sub: identity?.sub, scope: [...(identity?.scope ?? [])] })
    })
    app.use('/api', api)
    const server = createServer(app)
    try {
      const url = await listen(server)
      await exercise(`${url}/orders`)
      expect(await (await fetch(`${url}/health`)).text()).toBe('up')
      const refused = await fetch(`${url}/api/me`)
      expect(refused.status).toBe(401)
      expect(refused.headers.get('www-authenticate')).toBe('Bearer realm="orders"')
      const bad = await fetch(`${url}/api/me`, { headers: { authorization: 'Bearer not.a.token' } })
      expect(bad.status).toBe(401)
      expect(bad.headers.get('www-authenticate')).toMatch(/^Bearer realm="orders", error="invalid_token"/)
      const token = await issuer.sign({ scope: 'read write' })
      const me = await fetch(`${url}/api/me`, { headers: { authorization: `Bearer ${token}` } })
      expect(await me.json()).toEqual({ sub: 'alice', scope: ['read', 'write'] })
    } finally {
      server.close()
    }
  })

  test('Connect-style use without Express: a bare (req, res, next) chain', async () => {
    const middleware = tokenVerifierMiddleware(verifier, { scopes: ['read'] })
    const server = createServer((request, response) => {
      middleware(request, response, () => response.end((request as { identity?: Identity }).identity?.sub))
    })
    try {
      await exercise(await listen(server))
    } finally {
      server.close()
    }
  })

  test('node:http handler wrapper', async () => {
    const server = createServer(
      withTokenVerification(verifier, (_request, response, identity) => response.end(identity.sub), {
        scopes: ['read'],
      }),
    )
    try {
      await exercise(await listen(server))
    } finally {
      server.close()
    }
  })
})
