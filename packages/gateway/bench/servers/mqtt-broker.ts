import { createServer } from 'node:net'
import { createMqttBroker, createTokenVerifier, verifyWith } from '@tessera/gateway'
import { Aedes } from 'aedes'

/**
 * One broker for `bench/mqtt.ts`, in its own process: MODE=gateway is the embedded broker (JWT as
 * password, ACL checks), MODE=floor is Aedes with no authentication at all.
 */
const port = Number(process.env.PORT)
if (process.env.MODE === 'gateway') {
  const verifier = createTokenVerifier({
    issuer: process.env.ISSUER as string,
    audience: 'bench',
    algorithms: ['ES256'],
    typ: 'at+jwt',
    allowInsecureHttp: true,
  })
  await verifier.ready()
  await createMqttBroker({
    port,
    verify: verifyWith(verifier),
    username: 'device-id',
    clientIdIsSubject: true,
    clockTolerance: 0,
  })
} else {
  const aedes = await Aedes.createBroker({ maxClientsIdLength: 128 })
  await new Promise<void>((resolve) => createServer(aedes.handle).listen(port, '127.0.0.1', resolve))
}
process.send?.('ready')
