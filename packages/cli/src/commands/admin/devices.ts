import type { Command } from 'commander'
import { collect, examples, withJSON } from '../../lib/command.js'
import { usageError } from '../../lib/exit.js'
import { readJSONObject } from '../../lib/input.js'
import { readKeyMaterial } from '../../lib/key-file.js'
import { out, outJSON, table } from '../../lib/output.js'
import { type AdminOptions, adminClient, type Json } from './api.js'

interface AddOptions {
  jwk: string
  id?: string
  publish: string[]
  subscribe: string[]
  metadata?: string
  json?: boolean
}

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']

/** The device's public JWK: a private JWK is reduced to its public members, so it never leaves this machine. */
function publicJwk(path: string): Json {
  const material = readKeyMaterial(path)
  if (material.kind !== 'jwk') throw usageError(`--jwk ${path}: expected one JWK`)
  const jwk: Json = { ...material.jwk }
  for (const member of PRIVATE_MEMBERS) delete jwk[member]
  return jwk
}

function statusCommand(
  devices: Command,
  verb: 'disable' | 'enable',
  status: 'disabled' | 'active',
  help: string,
): void {
  const command = devices.command(verb).description(help).argument('<id>', 'device id')
  withJSON(command)
  examples(command, [`tessera admin devices ${verb} sensor-17`])
  command.action(async (id: string, options: { json?: boolean }, cmd: Command) => {
    const device = await adminClient(cmd.optsWithGlobals<AdminOptions>()).request(
      'PATCH',
      `/admin/devices/${encodeURIComponent(id)}`,
      { status },
    )
    if (options.json) return outJSON(device)
    out(`${device.id} ${device.status}`)
  })
}

export function registerDevices(admin: Command): void {
  const devices = admin
    .command('devices')
    .description('register and manage IoT devices and their MQTT topic ACLs')
  examples(devices, ['tessera admin devices list'])

  const add = devices
    .command('add')
    .description('register a device by its public key, with the MQTT topics it may use ({device} is its id)')
    .requiredOption('--jwk <file>', "the device's JWK (private members are dropped before sending)")
    .option('--id <id>', 'device id (default: generated)')
    .option('--publish <topic>', 'topic filter it may publish to (repeat for several)', collect, [])
    .option('--subscribe <topic>', 'topic filter it may subscribe to (repeat for several)', collect, [])
    .option('--metadata <json>', 'metadata: JSON or @file')
  withJSON(add)
  examples(add, [
    "tessera admin devices add --jwk device.pub.json --id sensor-17 --publish 'devices/{device}/telemetry' --subscribe 'devices/{device}/commands/#'",
  ])
  add.action(async (options: AddOptions, command: Command) => {
    const body = {
      jwk: publicJwk(options.jwk),
      acl: { publish: options.publish, subscribe: options.subscribe },
      ...(options.id !== undefined ? { id: options.id } : {}),
      ...(options.metadata !== undefined ? { metadata: readJSONObject(options.metadata, '--metadata') } : {}),
    }
    const device = await adminClient(command.optsWithGlobals<AdminOptions>()).request(
      'POST',
      '/admin/devices',
      body,
    )
    if (options.json) return outJSON(device)
    out(`registered ${device.id} (thumbprint ${device.jwk_thumbprint})`)
  })

  const list = devices.command('list').description('list the registered devices')
  withJSON(list)
  examples(list, ['tessera admin devices list --json'])
  list.action(async (options: { json?: boolean }, command: Command) => {
    const { devices: rows } = await adminClient(command.optsWithGlobals<AdminOptions>()).request(
      'GET',
      '/admin/devices',
    )
    if (options.json) return outJSON(rows)
    out(
      table([
        ['id', 'status', 'alg', 'publish', 'subscribe'],
        ...(rows as Json[]).map((d) => [
          d.id,
          d.status,
          d.alg,
          (d.acl?.publish ?? []).join(','),
          (d.acl?.subscribe ?? []).join(','),
        ]),
      ]),
    )
  })

  statusCommand(devices, 'disable', 'disabled', 'disable a device: it can no longer log in or refresh')
  statusCommand(devices, 'enable', 'active', 'enable a disabled device again')

  const remove = devices
    .command('delete')
    .description('delete a device, revoking its tokens first')
    .argument('<id>', 'device id')
  withJSON(remove)
  examples(remove, ['tessera admin devices delete sensor-17'])
  remove.action(async (id: string, options: { json?: boolean }, command: Command) => {
    await adminClient(command.optsWithGlobals<AdminOptions>()).request(
      'DELETE',
      `/admin/devices/${encodeURIComponent(id)}`,
    )
    if (options.json) return outJSON({ deleted: id })
    out(`deleted ${id}`)
  })
}
