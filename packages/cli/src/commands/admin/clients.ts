import type { Command } from 'commander'
import { collect, examples, withJSON } from '../../lib/command.js'
import { readJSONObject } from '../../lib/input.js'
import { note, out, outJSON, table } from '../../lib/output.js'
import { type AdminOptions, adminClient, type Json } from './api.js'

interface CreateOptions {
  name?: string
  scope?: string
  grantType: string[]
  authMethod?: string
  jwksUri?: string
  metadata?: string
  json?: boolean
}

export function registerClients(admin: Command): void {
  const clients = admin.command('clients').description('register, list and disable OAuth clients')
  examples(clients, ['tessera admin clients list'])

  const create = clients
    .command('create')
    .description('register a client (RFC 7591); its secret is printed once, on stdout')
    .option('--name <name>', 'client_name')
    .option('--scope <scopes>', 'space-separated scopes the client may request')
    .option('--grant-type <type>', 'grant type (repeat for several; default client_credentials)', collect, [])
    .option('--auth-method <method>', 'client_secret_basic, client_secret_post or private_key_jwt')
    .option('--jwks-uri <url>', "the client's jwks_uri (private_key_jwt)")
    .option('--metadata <json>', 'more client metadata: JSON or @file')
  withJSON(create)
  examples(create, [
    'tessera admin clients create --name billing --scope "read write"',
    'tessera admin clients create --name fleet --grant-type urn:ietf:params:oauth:grant-type:jwt-bearer --json',
  ])
  create.action(async (options: CreateOptions, command: Command) => {
    const body = {
      ...(options.metadata === undefined ? {} : readJSONObject(options.metadata, '--metadata')),
      ...(options.name !== undefined ? { client_name: options.name } : {}),
      ...(options.scope !== undefined ? { scope: options.scope } : {}),
      ...(options.grantType.length > 0 ? { grant_types: options.grantType } : {}),
      ...(options.authMethod !== undefined ? { token_endpoint_auth_method: options.authMethod } : {}),
      ...(options.jwksUri !== undefined ? { jwks_uri: options.jwksUri } : {}),
    }
    const client = await adminClient(command.optsWithGlobals<AdminOptions>()).request(
      'POST',
      '/oauth/register',
      body,
    )
    if (options.json) return outJSON(client)
    out(`client_id:     ${client.client_id}`)
    if (client.client_secret !== undefined) {
      out(`client_secret: ${client.client_secret}`)
      note('note: the secret is shown this once; store it now')
    }
  })

  const list = clients.command('list').description('list the registered clients')
  withJSON(list)
  examples(list, ['tessera admin clients list --json'])
  list.action(async (options: { json?: boolean }, command: Command) => {
    const { clients: rows } = await adminClient(command.optsWithGlobals<AdminOptions>()).request(
      'GET',
      '/admin/clients',
    )
    if (options.json) return outJSON(rows)
    out(
      table([
        ['client_id', 'name', 'status', 'auth method', 'grant types', 'scope'],
        ...(rows as Json[]).map((c) => [
          c.client_id,
          c.client_name ?? '-',
          c.disabled ? 'disabled' : 'active',
          c.token_endpoint_auth_method ?? '-',
          (c.grant_types ?? []).join(','),
          c.scope ?? '-',
        ]),
      ]),
    )
  })

  const disable = clients
    .command('disable')
    .description('disable a client: it gets no more tokens')
    .argument('<client_id>')
  withJSON(disable)
  examples(disable, ['tessera admin clients disable 5nV4…'])
  disable.action(async (clientId: string, options: { json?: boolean }, command: Command) => {
    const result = await adminClient(command.optsWithGlobals<AdminOptions>()).request(
      'POST',
      `/admin/clients/${encodeURIComponent(clientId)}/disable`,
    )
    if (options.json) return outJSON(result)
    out(`disabled ${result.client_id}`)
  })
}
