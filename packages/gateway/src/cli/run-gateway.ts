import { createGateway, type Gateway } from '../proxy/create-gateway.js'
import { parseSettings } from './parse-settings.js'

/**
 * What `tessera-gateway` and `tessera gateway` both do with resolved settings: validate them, start
 * the gateway, log where it listens, and close it on SIGINT / SIGTERM before exiting. Rejects with a
 * GatewayConfigError for a bad setting (nothing has started then).
 */
export async function runGateway(
  raw: Parameters<typeof parseSettings>[0],
  env: NodeJS.ProcessEnv,
): Promise<Gateway> {
  const gateway = await createGateway(parseSettings(raw, env))
  const { url, metricsUrl, mqttUrl, brokerHooksUrl } = await gateway.listen()
  gateway.log.info(
    { url, metrics: metricsUrl, mqtt: mqttUrl, brokerHooks: brokerHooksUrl },
    `tessera-gateway listening on ${url}${mqttUrl ? ` and ${mqttUrl}` : ''}`,
  )
  const shutdown = () => {
    gateway.close().then(
      () => process.exit(0),
      () => process.exit(1),
    )
  }
  process.once('SIGINT', shutdown)
  process.once('SIGTERM', shutdown)
  return gateway
}
