import { spawn } from 'node:child_process'
import { createHmac } from 'node:crypto'
import { statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BIN, bash, buildCli, ROOT, STACK_FRAME, tessera, workDir } from './helpers/cli.js'

// The conventions every command follows: help with examples, exit codes, one-line errors, stdin,
// --json, colours only on a terminal, private keys 0600, shell completion.
const work = workDir()
const file = (name: string) => join(work.path, name)
let commandPaths: string[][] = []

/** The command tree, read from the built program the bin runs. */
async function listCommands(): Promise<string[][]> {
  type Cmd = { name(): string; commands: Cmd[] }
  const { buildProgram } = (await import(join(ROOT, 'packages/cli/dist/program.js'))) as {
    buildProgram: () => Cmd
  }
  const paths: string[][] = []
  const walk = (command: Cmd, path: string[]) => {
    for (const sub of command.commands) {
      paths.push([...path, sub.name()])
      walk(sub, [...path, sub.name()])
    }
  }
  walk(buildProgram(), [])
  return paths
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
const now = () => Math.floor(Date.now() / 1000)
function hs256(payload: object, secret: string): string {
  const input = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(payload)}`
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`
}

beforeAll(async () => {
  buildCli()
  commandPaths = await listCommands()
  await tessera(['keys', 'generate', '--alg', 'ES256', '--kid', 'k1', '--out', file('k.json')])
}, 120_000)
afterAll(work.remove)

describe('help', () => {
  it('every command has --help with an example, exit 0', async () => {
    expect(commandPaths.length).toBeGreaterThan(30)
    // A few at a time: the machine is shared, and forty node processes at once only queue.
    const paths = [[], ...commandPaths]
    const runs: Awaited<ReturnType<typeof tessera>>[] = []
    for (let start = 0; start < paths.length; start += 4) {
      runs.push(
        ...(await Promise.all(paths.slice(start, start + 4).map((path) => tessera([...path, '--help'])))),
      )
    }
    for (const [index, run] of runs.entries()) {
      const path = ['', ...commandPaths.map((p) => p.join(' '))][index]
      expect(run.code, path).toBe(0)
      expect(run.stdout, path).toMatch(/\nExamples:\n {2}\$ .*tessera /)
    }
  }, 180_000)

  it('the top-level help documents the exit codes', async () => {
    const run = await tessera(['--help'])
    expect(run.stdout).toContain('  2  usage error')
    expect(run.stdout).toContain('  3  a server could not be reached')
  })
})

describe.concurrent('exit codes and one-line errors', () => {
  it('unknown options, missing arguments and unknown commands are usage errors (exit 2)', async () => {
    const unknown = await tessera(['jwt', 'inspect', '--bogus', 'x'])
    expect(unknown).toMatchObject({ code: 2, stdout: '', stderr: "error: unknown option '--bogus'\n" })
    const missing = await tessera(['jwt', 'sign'])
    expect(missing).toMatchObject({
      code: 2,
      stderr: "error: required option '--key <file>' not specified\n",
    })
    expect((await tessera(['tokens'])).code).toBe(2)
    expect((await tessera(['keys'])).code).toBe(2)
  })

  it('a bad key file: one line naming it, exit 2', async () => {
    writeFileSync(file('broken.json'), '{"kty":"EC","crv":"P-256","x":"AAAA","y":"AAAA"}')
    writeFileSync(file('notjson.json'), '{ not json')
    const runs = await Promise.all([
      tessera(['jwt', 'sign', '--key', file('missing.json')]),
      tessera(['jwt', 'sign', '--key', file('broken.json'), '--alg', 'ES256']),
      tessera(['jwt', 'sign', '--key', file('notjson.json')]),
    ])
    expect(runs.map((run) => run.code)).toEqual([2, 2, 2])
    expect(runs[0]?.stderr).toBe(`tessera: cannot read key file ${file('missing.json')} (ENOENT)\n`)
    expect(runs[1]?.stderr).toMatch(
      new RegExp(`^tessera: key file ${file('broken.json')}: ERR_JWK_INVALID: .+\\n$`),
    )
    expect(runs[2]?.stderr).toMatch(/^tessera: key file .+notjson\.json: not valid JSON \(.+\)\n$/)
    for (const run of runs) expect(run.stderr).not.toMatch(STACK_FRAME)
  })

  it('a malformed token: one line with the code, exit 1', async () => {
    const inspect = await tessera(['jwt', 'inspect', 'abc.def'])
    expect(inspect).toMatchObject({ code: 1, stdout: '' })
    expect(inspect.stderr).toMatch(/^tessera: malformed token: ERR_\w+: .+\n$/)
    const verify = await tessera(['jwt', 'verify', '-', '--key', file('k.pub.json'), '--alg', 'ES256'], {
      input: 'e30.e30.AAAA\n',
    })
    expect(verify.code).toBe(1)
    expect(verify.stderr).toMatch(/^tessera: invalid token: ERR_\w+: .+\n$/)
    const json = await tessera([
      'jwt',
      'verify',
      'e30.e30.AAAA',
      '--key',
      file('k.pub.json'),
      '--alg',
      'ES256',
      '--json',
    ])
    expect(JSON.parse(json.stdout)).toMatchObject({ valid: false, code: expect.stringMatching(/^ERR_/) })
  })

  it('--alg none never verifies, and verify needs an allowlist', async () => {
    const none = await tessera(['jwt', 'verify', 'x.y.', '--key', file('k.pub.json'), '--alg', 'none'])
    expect(none.code).toBe(2)
    const noAlg = await tessera(['jwt', 'verify', 'x.y.z', '--key', file('k.pub.json')])
    expect(noAlg).toMatchObject({ code: 2, stderr: "error: required option '--alg <alg>' not specified\n" })
  })
})

describe.concurrent('jwt inspect', () => {
  it('warns about alg none, no exp, PII-looking claims and size', async () => {
    const unsigned = `${b64({ alg: 'none' })}.${b64({ sub: 'u', email: 'ada@example.com', profile: { phone_number: '+44 20 7946 0958' }, pad: 'x'.repeat(5000) })}.`
    const run = await tessera(['jwt', 'inspect', '--json', unsigned])
    expect(run.code).toBe(0)
    const { warnings, size } = JSON.parse(run.stdout)
    expect(warnings.map((w: { code: string }) => w.code)).toEqual([
      'alg-none',
      'no-exp',
      'pii',
      'large-token',
    ])
    expect(warnings[2].message).toContain('(email, profile.phone_number)')
    expect(size).toBe(unsigned.length)
  })

  it('finds HS256 tokens signed with a well-known secret, and short secrets the user holds', async () => {
    const weak = hs256({ sub: 'u', exp: now() + 60 }, 'your-256-bit-secret')
    const run = await tessera(['jwt', 'inspect', weak])
    expect(run.stdout).toContain('weak-secret: HS256 signed with the well-known secret "your-256-bit-secret"')
    writeFileSync(file('short.secret'), 'only-sixteen-byt\n')
    const short = await tessera([
      'jwt',
      'inspect',
      '--json',
      '--key',
      file('short.secret'),
      hs256({ exp: now() + 60 }, 'only-sixteen-byt'),
    ])
    expect(JSON.parse(short.stdout).warnings).toEqual([expect.objectContaining({ code: 'short-secret' })])
  })

  it('warns about a very long lifetime and tells the times in human form', async () => {
    const t = now()
    // An hour past 90 days: "90 d" whether the CLI reads the clock in the same second or a few later.
    const token = hs256({ iat: t - 120, nbf: t - 120, exp: t + 90 * 86_400 + 3600 }, 'a'.repeat(40))
    const { times, warnings } = JSON.parse((await tessera(['jwt', 'inspect', '--json', token])).stdout)
    expect(times.iat.relative).toBe('issued 2 min ago')
    expect(times.nbf.relative).toBe('valid since 2 min ago')
    expect(times.exp.relative).toBe('expires in 90 d')
    expect(warnings.map((w: { code: string }) => w.code)).toEqual(['long-lifetime'])
  })

  it('an encrypted token shows its protected header only', async () => {
    const jwe = `${b64({ alg: 'RSA-OAEP-256', enc: 'A256GCM', cty: 'JWT' })}.AAAA.AAAAAAAAAAAAAAAA.AAAA.AAAAAAAAAAAAAAAAAAAAAA`
    const run = JSON.parse((await tessera(['jwt', 'inspect', '--json', jwe])).stdout)
    expect(run).toMatchObject({ encrypted: true, payload: null, header: { cty: 'JWT' } })
  })
})

describe.concurrent('files, stdin, output', () => {
  it('private keys are written 0600 and never silently replaced', async () => {
    expect(statSync(file('k.json')).mode & 0o777).toBe(0o600)
    const again = await tessera(['keys', 'generate', '--alg', 'ES256', '--out', file('k.json')])
    expect(again).toMatchObject({
      code: 2,
      stderr: `tessera: ${file('k.json')} exists; pass --force to replace it\n`,
    })
    await tessera(['keys', 'generate', '--alg', 'HS256', '--out', file('mac.json')])
    expect(statSync(file('mac.json')).mode & 0o777).toBe(0o600)
  })

  it('- reads stdin; two inputs cannot both be stdin', async () => {
    const token = (
      await tessera(['jwt', 'sign', '--key', '-', '--sub', 'from-stdin'], {
        input: (await import('node:fs')).readFileSync(file('k.json')),
      })
    ).stdout.trim()
    const run = await tessera(
      ['jwt', 'verify', '-', '--key', file('k.pub.json'), '--alg', 'ES256', '--json'],
      { input: `${token}\n` },
    )
    expect(JSON.parse(run.stdout).payload.sub).toBe('from-stdin')
    expect((await tessera(['jwt', 'verify', '-', '--key', '-', '--alg', 'ES256'])).code).toBe(2)
    // A pipe whose writer is slow (non-blocking stdin answers EAGAIN until it writes) is waited for.
    const slow = await bash(`(sleep 1; echo '${token}') | tessera jwt inspect --json -`)
    expect(slow.code, slow.stderr).toBe(0)
    expect(JSON.parse(slow.stdout).payload.sub).toBe('from-stdin')
  })

  it('data on stdout, diagnostics on stderr', async () => {
    const token = (await tessera(['jwt', 'sign', '--key', file('k.json')])).stdout.trim()
    const run = await tessera(['jwt', 'verify', token, '--key', file('k.pub.json'), '--alg', 'ES256'])
    expect(run.stderr).toBe('valid\n')
    expect(JSON.parse(run.stdout).header.kid).toBe('k1')
  })

  it('colours on a terminal only, and never with NO_COLOR', async () => {
    // script(1) gives the command a pseudo-terminal as stdout.
    const onTty = (env: string) =>
      new Promise<string>((resolve) => {
        const child = spawn(
          'script',
          [
            '-qec',
            `${env} ${process.execPath} ${BIN} keys thumbprint --help >/dev/null; ${env} ${process.execPath} ${BIN} jwks inspect ${file('k.pub.json').replace('k.pub', 'set')}`,
            '/dev/null',
          ],
          { stdio: ['ignore', 'pipe', 'ignore'] },
        )
        let output = ''
        child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')))
        child.once('close', () => resolve(output))
      })
    writeFileSync(
      file('set.json'),
      JSON.stringify({
        keys: [JSON.parse((await import('node:fs')).readFileSync(file('k.pub.json'), 'utf8'))],
      }),
    )
    expect(await onTty('NO_COLOR=')).toContain('\u001b[1m1 key\u001b[22m')
    const plain = await onTty('NO_COLOR=1')
    expect(plain).toContain('1 key')
    expect(plain).not.toContain('\u001b[')
    // And not through a pipe.
    expect((await tessera(['jwks', 'inspect', file('set.json')])).stdout).not.toContain('\u001b[')
  })
})

describe('completion', () => {
  it('bash: a valid script that completes subcommands and options', async () => {
    const script = (await tessera(['completion', 'bash'])).stdout
    const complete = (words: string[]) =>
      bash(
        `${script}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _tessera; echo "\${COMPREPLY[*]}"`,
      )
    expect((await complete(['tessera', 'ke'])).stdout.trim()).toBe('keys')
    expect((await complete(['tessera', 'keys', 'gen'])).stdout.trim()).toBe('generate')
    expect((await complete(['tessera', 'keys', 'generate', '--ou'])).stdout.trim()).toBe('--out')
    expect((await complete(['tessera', 'admin', 'devices', ''])).stdout.trim().split(' ')).toEqual(
      expect.arrayContaining(['add', 'list', 'disable', 'enable', 'delete']),
    )
  })

  it('zsh: loads through bashcompinit; an unknown shell is a usage error', async () => {
    expect((await tessera(['completion', 'zsh'])).stdout).toMatch(/^#compdef tessera\n/)
    expect((await tessera(['completion', 'fish'])).code).toBe(2)
  })
})
