#!/usr/bin/env node
import { ConfigError, loadConfig } from './config/load-config.js'
import { MasterKeyError } from './keys/master-key.js'
import { exitOnSignals } from './lib/graceful-shutdown.js'
import { PATHS } from './lib/paths.js'
import { createAuthority } from './server.js'

/** `npm start`: configuration from the environment, then serve until SIGINT/SIGTERM. */
async function main(): Promise<void> {
  const config = loadConfig()
  const authority = await createAuthority({ config })
  const log = authority.app.log
  if (authority.masterKey.source === 'generated') {
    log.warn(
      { path: authority.masterKey.path },
      'generated a master key file for the private keys; in production supply TESSERA_MASTER_KEY or TESSERA_MASTER_KEY_FILE and keep it off this disk',
    )
  }
  await authority.listen()
  const { issuer } = config
  const token = authority.context.adminToken
  const lines = [
    '',
    `Tessera authority listening on ${config.host}:${config.port}`,
    `  issuer:   ${issuer}`,
    `  JWKS:     ${issuer}${PATHS.jwks}`,
    `  metadata: ${issuer}${PATHS.metadata}`,
    authority.adminTokenGenerated
      ? `  admin token (generated, saved in ${config.dataDir}/admin-token): ${token}`
      : '  admin token: from configuration or the data directory',
    '',
    'Register a client:',
    `  curl -s -X POST ${issuer}${PATHS.registration} -H 'authorization: Bearer ${authority.adminTokenGenerated ? token : '<admin token>'}' \\`,
    `    -H 'content-type: application/json' -d '{"client_name":"demo","scope":"read write"}'`,
    'Then get a token:',
    `  curl -s -u '<client_id>:<client_secret>' -d grant_type=client_credentials -d scope=read ${issuer}${PATHS.token}`,
    '',
  ]
  process.stdout.write(`${lines.join('\n')}\n`)

  // A rolling deploy's SIGTERM: drain, flush, close — and never hang past the hard deadline.
  exitOnSignals({
    log,
    close: () => authority.close(),
    inFlight: () => authority.inFlight(),
    hardDeadlineMs: config.shutdownTimeout * 1000,
  })
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof MasterKeyError) {
    process.stderr.write(`tessera: ${error.message}\n`)
  } else {
    process.stderr.write(`tessera: start-up failed: ${(error as Error)?.stack ?? String(error)}\n`)
  }
  process.exit(1)
})
