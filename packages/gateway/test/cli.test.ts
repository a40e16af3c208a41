import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { SETTINGS } from '../src/cli/settings-table.js'
import { tempDir } from './helpers/authority.js'
import { type LocalIssuer, startLocalIssuer } from './helpers/local-issuer.js'
import { startUpstream, type TestUpstream } from './helpers/upstream.js'

const MAIN = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url))
const run = promisify(execFile)

let issuer: LocalIssuer
let upstream: TestUpstream
const dir = tempDir()

beforeAll(async () => {
  issuer = await startLocalIssuer()
  upstream = await startUpstream()
})
afterAll(async () => {
  await issuer.close()
  await upstream.close()
  dir.remove()
})

function start(
  args: string[],
  env: Record<string, string>,
): Promise<{ child: ChildProcess; url: string; metrics: string }> {
  const child = spawn(process.execPath, [MAIN, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  return new Promise((resolve, reject) => {
    let output = ''
    const timer = setTimeout(() => reject(new Error(`no start: ${output}`)), 15_000)
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      const line = output.split('\n').find((text) => text.includes('tessera-gateway listening'))
      if (line) {
        clearTimeout(timer)
        const parsed = JSON.parse(line) as { url: string; metrics: string }
        resolve({ child, url: parsed.url, metrics: parsed.metrics })
      }
    })
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${output}`)))
  })
}

describe('tessera-gateway', () => {
  test('flags and TESSERA_GATEWAY_* variables together, with routes.json', async () => {
    const routes = join(dir.path, 'routes.json')
    writeFileSync(
      routes,
      JSON.stringify({
        routes: [
          { prefix: '/health', public: true },
          { methods: 'GET', prefix: '/orders', scopes: ['read'] },
        ],
      }),
    )
    const { child, url, metrics } = await start(
      [
        '--issuer',
        issuer.issuer,
        '--upstream',
        upstream.url,
        '--port',
        '0',
        '--routes',
        routes,
        '--metrics-port',
        '0',
      ],
      {
        TESSERA_GATEWAY_AUDIENCE: 'orders',
        TESSERA_GATEWAY_ALLOW_INSECURE_HTTP: 'true',
        TESSERA_GATEWAY_FORWARD_AUTHORIZATION: 'false',
        TESSERA_GATEWAY_FORWARD_CLAIMS: 'true',
      },
    )
    try {
      expect((await fetch(`${url}/health`)).status).toBe(200)
      expect((await fetch(`${url}/orders`)).status).toBe(401)
      const token = await issuer.sign({ scope: 'read' })
      const response = await fetch(`${url}/orders`, { headers: { authorization: `Bearer ${token}` } })
      expect(response.status).toBe(200)
      const seen = (await response.json()) as { headers: Record<string, string> }
      expect(seen.headers.authorization).toBeUndefined()
      expect(
        JSON.parse(Buffer.from(seen.headers['x-tessera-claims'] ?? '', 'base64url').toString()),
      ).toMatchObject({
        sub: 'alice',
        scope: 'read',
      })
      const narrow = await issuer.sign({ scope: 'write' })
      expect((await fetch(`${url}/orders`, { headers: { authorization: `Bearer ${narrow}` } })).status).toBe(
        403,
      )
      expect(await (await fetch(metrics)).text()).toMatch(
        /tessera_gateway_requests_total\{outcome="public",reason="none"\} 1/,
      )
    } finally {
      child.kill('SIGTERM')
    }
  })

  test('a missing required setting stops start-up naming the flag and the variable', async () => {
    const failure = await run(
      process.execPath,
      [MAIN, '--audience', 'a', '--upstream', 'http://127.0.0.1:1'],
      {
        env: { PATH: process.env.PATH ?? '' },
      },
    ).catch((error: { code: number; stderr: string }) => error)
    expect(failure).toMatchObject({ code: 1 })
    expect((failure as { stderr: string }).stderr).toBe(
      'tessera-gateway: --issuer / TESSERA_GATEWAY_ISSUER: is required\n',
    )
  })

  test('--help lists every setting with its variable', async () => {
    const { stdout } = await run(process.execPath, [MAIN, '--help'])
    expect(stdout.startsWith('Example:')).toBe(true)
    for (const setting of SETTINGS) {
      expect(stdout).toContain(`--${setting.flag}`)
      expect(stdout).toContain(setting.env)
    }
  })
})
