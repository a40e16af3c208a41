import {
  type CreateGatewayOptions,
  createGateway,
  type Gateway,
  type GatewaySettings,
  RouteTable,
} from '../../src/index.js'

export function gatewaySettings(
  overrides: Partial<GatewaySettings> & Pick<GatewaySettings, 'issuer' | 'upstream'>,
): GatewaySettings {
  return {
    audience: ['https://api.example/orders'],
    algorithms: ['ES256'],
    jwksUri: undefined,
    typ: undefined,
    clockTolerance: 0,
    host: '127.0.0.1',
    port: 0,
    routes: new RouteTable([]),
    forwardAuthorization: true,
    forwardClaims: false,
    allowInsecureHttp: true,
    connectTimeoutMs: 2000,
    upstreamTimeoutMs: 1500,
    metricsPort: 0,
    logLevel: 'silent',
    bff: undefined,
    ...overrides,
  }
}

export async function startGateway(
  settings: GatewaySettings,
  options: CreateGatewayOptions = {},
): Promise<Gateway & { url: string; metricsUrl: string | undefined }> {
  const gateway = await createGateway(settings, options)
  const { url, metricsUrl } = await gateway.listen()
  return Object.assign(gateway, { url, metricsUrl })
}
