// A web app that signs people in with the Tessera authority through openid-client: the authorization
// code flow with PKCE, state and nonce, then the user's email from the UserInfo endpoint. The app
// keeps everything in server memory and gives the browser one opaque, HttpOnly cookie.
//
//   ISSUER=http://localhost:3000 CLIENT_ID=… CLIENT_SECRET=… PORT=4000 node examples/web-app.mjs
// Register the app first (redirect URI http://127.0.0.1:4000/callback): docs/signing-in.md.
import { randomBytes } from 'node:crypto'
import { createServer } from 'node:http'
import * as oidc from 'openid-client'

const issuer = new URL(process.env.ISSUER ?? 'http://localhost:3000')
const port = Number(process.env.PORT ?? 4000)
const redirectUri = `http://127.0.0.1:${port}/callback`
const config = await oidc.discovery(
  issuer,
  process.env.CLIENT_ID,
  undefined,
  oidc.ClientSecretBasic(process.env.CLIENT_SECRET),
  // Plain http is for a loopback development authority only; in production the issuer is https.
  issuer.protocol === 'http:' ? { execute: [oidc.allowInsecureRequests] } : undefined,
)

const pending = new Map() // sign-ins in progress: handle → { verifier, state, nonce }
const sessions = new Map() // signed-in browsers: handle → { email }
const cookie = (request, name) =>
  (request.headers.cookie ?? '')
    .split('; ')
    .find((part) => part.startsWith(`${name}=`))
    ?.slice(name.length + 1)

async function handle(request, response) {
  const url = new URL(request.url, `http://127.0.0.1:${port}`)
  if (url.pathname === '/login') {
    const attempt = {
      verifier: oidc.randomPKCECodeVerifier(),
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
    }
    const handle = randomBytes(32).toString('base64url')
    pending.set(handle, attempt)
    const to = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid email',
      code_challenge: await oidc.calculatePKCECodeChallenge(attempt.verifier),
      code_challenge_method: 'S256',
      state: attempt.state,
      nonce: attempt.nonce,
    })
    response.writeHead(302, {
      location: to.href,
      'set-cookie': `login=${handle}; HttpOnly; SameSite=Lax; Path=/`,
    })
    return response.end()
  }
  if (url.pathname === '/callback') {
    const attempt = pending.get(cookie(request, 'login'))
    if (!attempt) return response.writeHead(400).end('no sign-in in progress')
    pending.delete(cookie(request, 'login'))
    const tokens = await oidc.authorizationCodeGrant(config, url, {
      pkceCodeVerifier: attempt.verifier,
      expectedState: attempt.state,
      expectedNonce: attempt.nonce,
      idTokenExpected: true,
    })
    const { sub } = tokens.claims()
    const { email } = await oidc.fetchUserInfo(config, tokens.access_token, sub)
    const session = randomBytes(32).toString('base64url')
    sessions.set(session, { email })
    response.writeHead(303, {
      location: '/',
      'set-cookie': `session=${session}; HttpOnly; SameSite=Lax; Path=/`,
    })
    return response.end()
  }
  if (url.pathname === '/') {
    const user = sessions.get(cookie(request, 'session'))
    response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' })
    return response.end(user ? `Signed in as ${user.email}` : 'Signed out: open /login')
  }
  response.writeHead(404).end()
}

const server = createServer((request, response) => {
  handle(request, response).catch((error) =>
    response.writeHead(400).end(`sign-in failed: ${error.code ?? error.message}`),
  )
})
server.listen(port, '127.0.0.1', () => console.log(`listening http://127.0.0.1:${port}`))
