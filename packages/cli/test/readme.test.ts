import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bash, buildCli, ROOT, workDir } from './helpers/cli.js'
import { type Served, serve } from './helpers/serve.js'

// Every `sh` example of the CLI's README (and of the root README's CLI section) runs, in order, in
// one directory per README, as a user would type it; a `text` block right after an example lists
// lines its output (stdout and stderr) must contain, `…` standing for anything.
interface Example {
  readonly script: string
  readonly expected: readonly string[]
}

function examplesOf(markdown: string): Example[] {
  const examples: Example[] = []
  const fence = /```(\w+)\n([\s\S]*?)```/g
  let previousEnd = -1
  for (let match = fence.exec(markdown); match !== null; match = fence.exec(markdown)) {
    const [whole, language, body = ''] = match
    const last = examples.at(-1)
    if (language === 'text' && last && markdown.slice(previousEnd, match.index).trim() === '') {
      examples[examples.length - 1] = {
        ...last,
        expected: body.split('\n').filter((line) => line.trim() !== ''),
      }
    } else if (language === 'sh') {
      examples.push({ script: body, expected: [] })
    }
    previousEnd = match.index + whole.length
  }
  return examples
}

const glob = (line: string) =>
  new RegExp(
    `^${line
      .trim()
      .split('…')
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  )

function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(heading)
  const end = markdown.indexOf('\n## ', start + heading.length)
  return markdown.slice(start, end === -1 ? undefined : end)
}

const ADMIN_TOKEN = 'readme-admin-token-0123456789-abcdefghijklmnop'
const sources = [
  { name: 'packages/cli/README.md', markdown: readFileSync(join(ROOT, 'packages/cli/README.md'), 'utf8') },
  {
    name: 'README.md (the CLI section)',
    markdown: section(readFileSync(join(ROOT, 'README.md'), 'utf8'), '## `tessera`: the command line'),
  },
]
let server: Served
const dirs = sources.map(() => workDir())

beforeAll(async () => {
  buildCli()
  server = await serve({
    TESSERA_DATA_DIR: join(dirs[0]?.path as string, 'authority-data'),
    TESSERA_ADMIN_TOKEN: ADMIN_TOKEN,
  })
}, 120_000)
afterAll(async () => {
  await server?.stop()
  for (const dir of dirs) dir.remove()
})

for (const [index, { name, markdown }] of sources.entries()) {
  const examples = examplesOf(markdown)
  describe(name, () => {
    it('has examples', () => {
      expect(examples.length).toBeGreaterThanOrEqual(index === 0 ? 12 : 2)
    })
    for (const [number, example] of examples.entries()) {
      const title = example.script.split('\n')[0] ?? ''
      it(`example ${number + 1}: ${title.slice(0, 70)}`, async () => {
        const run = await bash(`exec 2>&1\n${example.script}`, {
          cwd: dirs[index]?.path as string,
          env: { TESSERA_URL: server.url, TESSERA_ADMIN_TOKEN: ADMIN_TOKEN },
        })
        expect(run.code, run.stdout).toBe(0)
        const lines = run.stdout.split('\n').map((line) => line.trim())
        for (const expected of example.expected) {
          expect(
            lines.some((line) => glob(expected).test(line)),
            `${expected}\n--- in ---\n${run.stdout}`,
          ).toBe(true)
        }
      })
    }
  })
}
