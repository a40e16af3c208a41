// A device that logs in at the Tessera authority with its own key (RFC 7523 jwt-bearer through its
// fleet's public client), then publishes a reading over MQTT to the gateway's broker, presenting the
// short-lived access token as its MQTT password. The token's `acl` claim says where it may publish.
//
//   ISSUER=… FLEET_CLIENT_ID=… DEVICE_ID=… DEVICE_KEY=device.json MQTT_URL=mqtt://127.0.0.1:1883 \
//     node examples/device-mqtt.mjs
import { readFileSync } from 'node:fs'
import { importJWK, signJWT } from '@tessera/jose'
import mqtt from 'mqtt'

const { ISSUER, FLEET_CLIENT_ID, DEVICE_ID, DEVICE_KEY, MQTT_URL } = process.env
const key = await importJWK(JSON.parse(readFileSync(DEVICE_KEY, 'utf8')), 'ES256')

// 1. Device login: an assertion signed by the device (iss = sub = its id, aud = the issuer).
const assertion = await signJWT({}, key, {
  alg: 'ES256',
  issuer: DEVICE_ID,
  subject: DEVICE_ID,
  audience: ISSUER,
  expiresIn: '2m',
  jti: true, // single use: the authority refuses a replayed assertion
})
const answer = await fetch(`${ISSUER}/oauth/token`, {
  method: 'POST',
  body: new URLSearchParams({
    grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
    assertion,
    client_id: FLEET_CLIENT_ID,
  }),
})
const tokens = await answer.json()
if (answer.status !== 200) throw new Error(`login refused: ${tokens.error}`)

// 2. MQTT 3.1.1: client id and username are the device id, the password is the access token.
const client = await mqtt.connectAsync(MQTT_URL, {
  protocolVersion: 4,
  clientId: DEVICE_ID,
  username: DEVICE_ID,
  password: tokens.access_token,
  reconnectPeriod: 0,
})
const topic = `devices/${DEVICE_ID}/telemetry`
await client.publishAsync(topic, JSON.stringify({ temperature: 21.5 }), { qos: 1 })
console.log(`published to ${topic}`)
await client.endAsync()
