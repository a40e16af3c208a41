import { Counter, type Registry } from 'prom-client'
import type { MqttEvent } from './broker.js'

/** MQTT counters on the gateway's registry; labels are bounded (outcomes, reasons, actions). */
export function registerMqttMetrics(registry: Registry): (event: MqttEvent) => void {
  const registers = [registry]
  const connects = new Counter({
    name: 'tessera_gateway_mqtt_connects_total',
    help: 'MQTT connects (and broker-plugin register hooks) by outcome and refusal reason',
    labelNames: ['outcome', 'reason'],
    registers,
  })
  const denied = new Counter({
    name: 'tessera_gateway_mqtt_denied_total',
    help: 'PUBLISH dropped and SUBSCRIBE refused by the ACL',
    labelNames: ['action'],
    registers,
  })
  const disconnects = new Counter({
    name: 'tessera_gateway_mqtt_disconnects_total',
    help: 'Connections the broker closed because the token expired or was revoked',
    labelNames: ['reason'],
    registers,
  })
  connects.inc({ outcome: 'accepted', reason: 'none' }, 0)
  for (const action of ['publish', 'subscribe']) denied.inc({ action }, 0)
  for (const reason of ['expired', 'revoked']) disconnects.inc({ reason }, 0)
  return (event) => {
    if (event.type === 'connect')
      connects.inc({ outcome: event.outcome, reason: event.outcome === 'refused' ? event.reason : 'none' })
    else if (event.type === 'publish_denied') denied.inc({ action: 'publish' })
    else if (event.type === 'subscribe_denied') denied.inc({ action: 'subscribe' })
    else disconnects.inc({ reason: event.reason })
  }
}
