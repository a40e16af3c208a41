// The settings table alone (no Fastify, no undici): the gateway itself loads only when it runs.
import { CLIENT_SECRET_ENV, SETTINGS } from '@tessera/gateway/settings'
import { type Command, Option } from 'commander'
import { examples } from '../../lib/command.js'
import { usageError } from '../../lib/exit.js'

/**
 * `tessera gateway`: the verifying reverse proxy, exactly as `tessera-gateway` runs it. The options
 * are made from the gateway's one settings table, so a flag, its TESSERA_GATEWAY_* variable and its
 * default cannot drift apart between the two commands.
 */
export function registerGateway(program: Command): void {
  const command = program
    .command('gateway')
    .description(
      'run the verifying reverse proxy (tessera-gateway): flags, or TESSERA_GATEWAY_* variables; flags win',
    )
  for (const setting of SETTINGS) {
    const flags = setting.kind === 'string' ? `--${setting.flag} <value>` : `--${setting.flag}`
    const fallback = setting.default === undefined ? '' : `, default ${setting.default}`
    const option = new Option(flags, `${setting.help} (${setting.env}${fallback})`)
    // A repeatable flag (--decryption-key) collects every value, as tessera-gateway's parser does.
    if (setting.multiple)
      option.argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value])
    command.addOption(option)
  }
  command.addHelpText(
    'after',
    `\nThe BFF client secret comes from ${CLIENT_SECRET_ENV} or --bff-client-secret-file, never a flag.`,
  )
  examples(command, [
    'tessera gateway --issuer https://id.example --audience orders --upstream http://127.0.0.1:3001',
    'TESSERA_GATEWAY_ISSUER=https://id.example tessera gateway --audience orders --upstream http://127.0.0.1:3001 --routes routes.json --metrics-port 9464',
  ])
  command.action(async (_options: unknown, cmd: Command) => {
    const given: Record<string, string | boolean | string[] | undefined> = {}
    for (const option of cmd.options) {
      if (option.long) given[option.long.slice(2)] = cmd.getOptionValue(option.attributeName())
    }
    const { GatewayConfigError, resolveRawSettings, runGateway } = await import('@tessera/gateway')
    try {
      await runGateway(resolveRawSettings(given, process.env), process.env)
    } catch (error) {
      if (error instanceof GatewayConfigError) throw usageError(`gateway: ${error.message}`)
      throw error
    }
  })
}
