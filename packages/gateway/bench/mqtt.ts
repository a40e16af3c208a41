import type { ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { connectAsync, type MqttClient } from 'mqtt'
import { startBenchIssuer } from './issuer.js'
import { spawnServer, stop, whenReady } from './processes.js'

/**
 * `npm run bench:gateway`, MQTT rows: the embedded broker (JWT verification at CONNECT, ACL check
 * on every PUBLISH) against Aedes without authentication, the floor, each in its own process,
 * driven by the mqtt client from this one. Every connect presents a different device's token, so
 * each is a real signature verification, not a cache hit.
 */
const CONNECTS = Number(process.env.BENCH_MQTT_CONNECTS ?? 2000)
const CONCURRENCY = Number(process.env.BENCH_MQTT_CONCURRENCY ?? 16)
const MESSAGES = Number(process.env.BENCH_MQTT_MESSAGES ?? 50_000)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2)
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url))

function startBroker(mode: 'gateway' | 'floor', port: number, issuer: string): Promise<ChildProcess> {
  const child = spawnServer(here('servers/mqtt-broker.js'), [], {
    MODE: mode,
    PORT: String(port),
    ISSUER: issuer,
  })
  return whenReady(child, `${mode} broker`)
}

const connect = (port: number, id: string, password: string) =>
  connectAsync(`mqtt://127.0.0.1:${port}`, {
    clientId: id,
    username: id,
    password,
    protocolVersion: 4,
    reconnectPeriod: 0,
    clean: true,
  })

/** CONNECT → CONNACK → DISCONNECT, `CONCURRENCY` at a time; connects per second. */
async function connectRate(port: number, tokens: readonly string[]): Promise<number> {
  let next = 0
  const worker = async () => {
    while (next < tokens.length) {
      const index = next++
      const client = await connect(port, `dev-${index}`, tokens[index] as string)
      await client.endAsync(true)
    }
  }
  const started = performance.now()
  await Promise.all(Array.from({ length: CONCURRENCY }, worker))
  return tokens.length / ((performance.now() - started) / 1000)
}

/** QoS 0 PUBLISHes from one device, all received by one subscriber; messages per second. */
async function publishRate(port: number, publisher: MqttClient, subscriber: MqttClient): Promise<number> {
  let received = 0
  const done = new Promise<void>((resolve) => {
    subscriber.on('message', () => {
      if (++received === MESSAGES) resolve()
    })
  })
  const payload = Buffer.alloc(64, 0x61)
  const started = performance.now()
  for (let i = 0; i < MESSAGES; i++) {
    publisher.publish('devices/dev-pub/telemetry', payload, { qos: 0 })
    if (i % 1000 === 999) await new Promise((resolve) => setImmediate(resolve))
  }
  await done
  subscriber.removeAllListeners('message')
  void port
  return MESSAGES / ((performance.now() - started) / 1000)
}

async function main(): Promise<void> {
  const issuer = await startBenchIssuer('mqtt-1')
  const sign = (sub: string, acl: { publish: string[]; subscribe: string[] }) =>
    issuer.sign({ sub, client_id: 'fleet', acl })
  const acl = (sub: string) => ({ publish: [`devices/${sub}/telemetry`], subscribe: [] as string[] })
  const tokens = await Promise.all(
    Array.from({ length: CONNECTS }, (_, i) => sign(`dev-${i}`, acl(`dev-${i}`))),
  )
  const pubToken = await sign('dev-pub', acl('dev-pub'))
  const subToken = await sign('dev-sub', { publish: [], subscribe: ['devices/+/telemetry'] })
  const results: Record<'gateway' | 'floor', { connects: number[]; publishes: number[] }> = {
    gateway: { connects: [], publishes: [] },
    floor: { connects: [], publishes: [] },
  }
  const basePort = 40_000 + Math.floor(Math.random() * 10_000)
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const mode of ['gateway', 'floor'] as const) {
        const port = basePort + round * 2 + (mode === 'gateway' ? 0 : 1)
        const broker = await startBroker(mode, port, issuer.issuer)
        try {
          await connectRate(port, tokens.slice(0, 100)) // warm-up
          const connects = await connectRate(port, tokens)
          const subscriber = await connect(port, 'dev-sub', subToken)
          await subscriber.subscribeAsync('devices/+/telemetry', { qos: 0 })
          const publisher = await connect(port, 'dev-pub', pubToken)
          const publishes = await publishRate(port, publisher, subscriber)
          await Promise.all([publisher.endAsync(), subscriber.endAsync()])
          results[mode].connects.push(connects)
          results[mode].publishes.push(publishes)
          process.stderr.write(
            `round ${round + 1} mqtt ${mode}: ${Math.round(connects)} connects/s, ${Math.round(publishes)} publishes/s\n`,
          )
        } finally {
          await stop(broker)
        }
      }
    }
  } finally {
    issuer.close()
  }
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length
  const row = (name: string, mode: 'gateway' | 'floor') =>
    `| ${name} | ${Math.round(mean(results[mode].connects))} | ${Math.round(mean(results[mode].publishes))} |`
  const ratio = (key: 'connects' | 'publishes') =>
    `${((mean(results.gateway[key]) / mean(results.floor[key])) * 100).toFixed(1)}%`
  const lines = [
    '',
    `MQTT 3.1.1, mqtt client; ${CONNECTS} connects (${CONCURRENCY} at a time, a different ES256 token each), ${MESSAGES} QoS 0 publishes of 64 bytes to one subscriber, ${ROUNDS} rounds (mean)`,
    '',
    '| broker | connects/s | publishes/s |',
    '| --- | ---: | ---: |',
    row('tessera-gateway --mqtt-port (JWT at CONNECT, ACL per PUBLISH)', 'gateway'),
    row('floor: Aedes without authentication', 'floor'),
    '',
    `connects with JWT verification / floor: ${ratio('connects')}`,
    `publishes with ACL checks / floor: ${ratio('publishes')}`,
  ]
  process.stdout.write(`${lines.join('\n')}\n`)
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`)
  process.exit(1)
})
