import { createServer as createTcpServer, type Server } from 'node:net'
import { createServer as createTlsServer } from 'node:tls'
import { Aedes, type AedesOptions, type AuthenticateError, type Client, type PublishPacket } from 'aedes'
import { mayPublish, maySubscribe } from './acl.js'
import { authenticateDevice, type DeviceAuthOptions, sessionDeadline } from './authenticate-device.js'
import { connackCodeFor } from './connack.js'
import { DeviceRefusal, type IsRevoked, type RefusalReason } from './device-identity.js'
import { DeviceSessions, type EndReason } from './device-sessions.js'

/** What the broker reports, with bounded values only: never a device id, topic or token. */
export type MqttEvent =
  | { type: 'connect'; outcome: 'accepted' }
  | { type: 'connect'; outcome: 'refused'; reason: RefusalReason }
  | { type: 'publish_denied' }
  | { type: 'subscribe_denied' }
  | { type: 'disconnect'; reason: EndReason }

/** Options of createMqttBroker: where to listen, TLS, and how device tokens are verified. */
export interface MqttBrokerOptions extends Omit<DeviceAuthOptions, 'now' | 'isRevoked'> {
  readonly port: number
  /** Default 127.0.0.1. Plain TCP is for loopback development; anything else needs `tls`. */
  readonly host?: string
  /** PEM key and certificate: the listener speaks MQTT over TLS. */
  readonly tls?: { readonly key: string | Buffer; readonly cert: string | Buffer }
  readonly isRevoked?: IsRevoked
  readonly onEvent?: (event: MqttEvent) => void
  readonly now?: () => number
}

/**
 * A running MQTT broker made by createMqttBroker, with device authentication and topic ACLs from the
 * token.
 */
export interface MqttBroker {
  readonly aedes: Aedes
  /** The port listened on (useful with port 0). */
  readonly port: number
  /** Disconnects every device whose token `isRevoked` now refuses; returns how many. */
  disconnectRevoked(): number
  close(): Promise<void>
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost'])

function refusal(reason: RefusalReason, message: string): AuthenticateError {
  return Object.assign(new Error(message), { returnCode: connackCodeFor(reason) }) as AuthenticateError
}

/**
 * The embedded MQTT 3.1.1 broker (Aedes 1.x): CONNECT carries the device's access token as the
 * password; PUBLISH and SUBSCRIBE are checked against the token's `acl`; the connection ends when
 * the token expires or is revoked, without its Will.
 */
export async function createMqttBroker(options: MqttBrokerOptions): Promise<MqttBroker> {
  const host = options.host ?? '127.0.0.1'
  if (!options.tls && !LOOPBACK.has(host)) {
    throw new TypeError('"tls" is required to listen for MQTT beyond loopback ("host")')
  }
  const now = options.now ?? Date.now
  const emit = options.onEvent ?? (() => {})
  const auth: DeviceAuthOptions = {
    ...options,
    now,
    ...(options.isRevoked ? { isRevoked: options.isRevoked } : {}),
  }
  // Refused publishes are dropped, not forwarded (3.1.1 has no negative PUBACK); Aedes would close
  // the connection on an authorizePublish error, so refusals are marked and skipped at publish.
  const dropped = new WeakSet<object>()

  const sessions = new DeviceSessions<Client>((client, reason) => {
    // §3.1.2.5: the Will is for an unexpected loss; an expired or revoked token is neither.
    ;(client as Client & { will: unknown }).will = null
    emit({ type: 'disconnect', reason })
    client.close()
  })

  // The session's identity while its token is live: between `exp` and the timer firing, nothing passes.
  const live = (client: Client | null) => {
    const identity = client ? sessions.identity(client) : undefined
    return identity && sessionDeadline(identity, options.clockTolerance) > now() ? identity : undefined
  }

  const brokerOptions: AedesOptions = {
    // Device ids are up to 100 characters; 3.1.1 servers may accept longer client ids than 23.
    maxClientsIdLength: 128,
    connectTimeout: 10_000,
    authenticate: (client, username, password, done) => {
      authenticateDevice(auth, { clientId: client.id, username, password }).then(
        (identity) => {
          sessions.start(client, identity, sessionDeadline(identity, options.clockTolerance), now())
          emit({ type: 'connect', outcome: 'accepted' })
          done(null, true)
        },
        (error: unknown) => {
          const reason = error instanceof DeviceRefusal ? error.reason : 'invalid_token'
          emit({ type: 'connect', outcome: 'refused', reason })
          done(refusal(reason, (error as Error).message), false)
        },
      )
    },
    authorizePublish: (client, packet, done) => {
      const identity = live(client)
      if (!identity || !mayPublish(identity.acl, packet.topic)) {
        emit({ type: 'publish_denied' })
        dropped.add(packet)
      }
      done(null)
    },
    authorizeSubscribe: (client, subscription, done) => {
      const identity = live(client)
      if (!identity || !maySubscribe(identity.acl, subscription.topic)) {
        emit({ type: 'subscribe_denied' })
        // §3.9.3: a null subscription is answered with the failure return code 0x80.
        done(null, null)
        return
      }
      done(null, subscription)
    },
  }
  const aedes = await Aedes.createBroker(brokerOptions)
  type InternalPublish = (packet: PublishPacket, client: Client | null, done: () => void) => void
  const publish = aedes.publish.bind(aedes) as unknown as InternalPublish
  ;(aedes as unknown as { publish: InternalPublish }).publish = (packet, client, done) => {
    if (dropped.has(packet)) done()
    else publish(packet, client, done)
  }
  aedes.on('clientDisconnect', (client) => sessions.stop(client))

  const server: Server = options.tls
    ? createTlsServer({ key: options.tls.key, cert: options.tls.cert, minVersion: 'TLSv1.2' }, aedes.handle)
    : createTcpServer(aedes.handle)
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : options.port

  return {
    aedes,
    port,
    disconnectRevoked() {
      const isRevoked = options.isRevoked
      if (!isRevoked) return 0
      return sessions.endWhere((identity) => isRevoked(identity.claims), 'revoked')
    },
    async close() {
      sessions.clear()
      await new Promise<void>((resolve) => aedes.close(() => resolve()))
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
