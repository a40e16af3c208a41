#!/usr/bin/env node
import { GatewayConfigError } from '../errors.js'
import { readRawSettings } from './parse-settings.js'
import { runGateway } from './run-gateway.js'
import { CLIENT_SECRET_ENV, SETTINGS } from './settings-table.js'

function help(): string {
  const rows = SETTINGS.map(
    (setting) =>
      `  --${setting.flag}${setting.kind === 'string' ? ' <value>' : ''}`.padEnd(38) +
      `${setting.help}${setting.default !== undefined ? ` (default ${setting.default})` : ''}\n${' '.repeat(38)}${setting.env}`,
  )
  return [
    'Example:',
    '  tessera-gateway --issuer https://id.example --audience orders --upstream http://127.0.0.1:3001',
    '',
    'Verifies the bearer token of every request, then proxies it to the upstream with X-Tessera-* identity headers.',
    '',
    ...rows,
    '',
    `BFF client secret: ${CLIENT_SECRET_ENV} or --bff-client-secret-file (never a flag).`,
    '',
  ].join('\n')
}

async function main(): Promise<void> {
  const raw = readRawSettings(process.argv.slice(2), process.env)
  if (raw.help) {
    process.stdout.write(help())
    return
  }
  await runGateway(raw, process.env)
}

main().catch((error: unknown) => {
  if (error instanceof GatewayConfigError) process.stderr.write(`tessera-gateway: ${error.message}\n`)
  else process.stderr.write(`tessera-gateway: start-up failed: ${(error as Error)?.stack ?? String(error)}\n`)
  process.exit(1)
})
