import { fileURLToPath, pathToFileURL } from 'node:url'
import { startBenchIssuer } from './issuer.js'

/**
 * `node bench/dist/hot-path.js`: the gateway's own work on one request with a valid cached token —
 * the authenticate hook (route, bearer, cache hit, metrics), the request-header rewrite and the
 * response-header rewrite — run 300,000 times in this process, reported as CPU µs per request
 * (`process.cpuUsage`, so a busy neighbour inflates it less than wall time). No sockets, no Fastify:
 * what is left of the gap to the floor in `run.ts` is not in these functions.
 * `HOT_PATH_DIST=<another build's dist/>` measures that build instead, for before/after.
 */
const DIST = process.env.HOT_PATH_DIST ?? fileURLToPath(new URL('../../dist/', import.meta.url))
const load = (path: string) => import(pathToFileURL(`${DIST}${path}`).href)
const RUNS = Number(process.env.HOT_PATH_RUNS ?? 300_000)

const { createTokenVerifier } = await load('verify/create-token-verifier.js')
const { createAuthenticateHook } = await load('proxy/authenticate.js')
const { createHeaderRewrite, stripResponseHopByHop } = await load('proxy/forward-headers.js')
const { GatewayMetrics } = await load('metrics/gateway-metrics.js')
const { RouteTable } = await load('proxy/routes.js')
const { createLogger } = await load('lib/log.js')

const issuer = await startBenchIssuer('hot-path')
const token = await issuer.sign({ sub: 'bench-client', client_id: 'bench-client', scope: 'read' })
const metrics = new GatewayMetrics({ defaultMetrics: false })
const verifier = createTokenVerifier({
  issuer: issuer.issuer,
  audience: ['bench'],
  algorithms: ['ES256'],
  typ: 'at+jwt',
  allowInsecureHttp: true,
  onEvent: metrics.observe,
})
await verifier.ready()
const hook = createAuthenticateHook({
  verifier,
  routes: new RouteTable([]),
  metrics,
  bff: undefined,
  log: createLogger('warn'),
})
const rewrite = createHeaderRewrite({
  forwardAuthorization: true,
  forwardClaims: false,
  stripCookie: undefined,
})

async function requests(count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const headers = {
      host: '127.0.0.1:8080',
      authorization: `Bearer ${token}`,
      'user-agent': 'autocannon',
      accept: '*/*',
    }
    const request = { url: '/items', method: 'GET', headers, tesseraAdmission: null }
    await hook(request, {})
    // reply-from hands the rewrite a copy without the Connection header.
    rewrite(request, { ...headers })
    stripResponseHopByHop({
      'content-type': 'application/json',
      'content-length': '30',
      date: 'Wed, 02 Dec 2026 00:00:00 GMT',
      connection: 'keep-alive',
      'keep-alive': 'timeout=60',
    })
  }
}

await requests(50_000) // warm-up: let V8 optimise first
const results: number[] = []
for (let round = 0; round < 3; round++) {
  const before = process.cpuUsage()
  await requests(RUNS)
  const used = process.cpuUsage(before)
  results.push((used.user + used.system) / RUNS)
}
issuer.close()
process.stdout.write(
  `gateway hot path (${DIST}): ${results.map((micros) => micros.toFixed(2)).join(', ')} µs CPU/request\n`,
)
