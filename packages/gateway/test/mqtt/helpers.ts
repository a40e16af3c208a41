import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt'

/** A raw MQTT 3.1.1 client that never reconnects on its own, so each test sees what the broker did. */
export function connectDevice(port: number, options: IClientOptions): Promise<MqttClient> {
  return connectAsync(`mqtt://127.0.0.1:${port}`, {
    protocolVersion: 4,
    reconnectPeriod: 0,
    connectTimeout: 5000,
    clean: true,
    ...options,
  })
}

/** The CONNACK return code a refused connection got (the mqtt client puts it on the error). */
export async function refusedWith(port: number, options: IClientOptions): Promise<number | undefined> {
  try {
    const client = await connectDevice(port, options)
    await client.endAsync()
    return 0
  } catch (error) {
    return (error as { code?: number }).code
  }
}

/** Resolves when the broker closes the connection, with the milliseconds it took. */
export function closed(client: MqttClient): Promise<number> {
  const started = Date.now()
  return new Promise((resolve) => client.once('close', () => resolve(Date.now() - started)))
}

/** Collects the messages a client receives, by topic. */
export function inbox(client: MqttClient): { topic: string; payload: string }[] {
  const messages: { topic: string; payload: string }[] = []
  client.on('message', (topic, payload) => messages.push({ topic, payload: payload.toString('utf8') }))
  return messages
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** SUBSCRIBE and the raw SUBACK return codes, one per filter (0x80 = refused), as the broker sent them. */
export function subackCodes(client: MqttClient, filters: string[], qos: 0 | 1 = 0): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const onPacket = (packet: { cmd: string; granted?: (number | object)[] }) => {
      if (packet.cmd !== 'suback') return
      client.off('packetreceive', onPacket)
      resolve((packet.granted ?? []).map(Number))
    }
    client.on('packetreceive', onPacket)
    // The client reports a 0x80 as an error; the codes themselves come from the packet above.
    client.subscribe(filters, { qos }, (error) => {
      if (error && !/Subscribe error/.test(error.message)) reject(error)
    })
  })
}
