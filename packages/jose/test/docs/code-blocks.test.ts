import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'

/**
 * Every fenced code block of README.md and docs/*.md is run here, so the documentation cannot drift
 * from the code (new docs files are picked up by themselves):
 *
 * - `js`: a program, run with node against the built packages, imported by name as a user's code
 *   would (`@tessera/jose`, `@tessera/authority`, `@tessera/gateway`). A `console.log(…) // output`
 *   comment is output the run must print (up to an ` — ` that starts a remark).
 * - `sh`: run with bash, the blocks of one file in order in one fresh directory, with the workspace's
 *   bins (`tessera`, `tessera-gateway`) on PATH. A `text` block right after one lists lines its output
 *   must contain, `…` standing for anything.
 * - `json`: must parse.
 * - `text`: output or an illustration, not a program: reported as skipped, with that reason.
 * - A block preceded by `<!-- not run: <reason> -->` is reported as skipped with the reason (servers
 *   that run until stopped, commands that need a machine of their own).
 * - Any other block (no language, `ts`, `bash`, …) fails: an unmarked block is one nobody checks.
 *
 * Files whose blocks another test runs with the servers they need are listed in OWN_RUNNERS.
 */
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url))
const OWN_RUNNERS: Readonly<Record<string, string>> = {
  'docs/encrypted-tokens.md': 'packages/authority/test/docs-encrypted-tokens.test.ts',
}
// Written on another branch that is merged with this one; links to it are not checked until then.
const ARRIVING = new Set(['docs/encrypted-tokens.md'])

const execFileAsync = promisify(execFile)
const documents = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`),
]

interface Block {
  readonly language: string
  readonly body: string
  readonly line: number
  readonly skipReason: string | undefined
}

const FENCE = /^([ \t]*)```([\w-]*)[^\n]*\n([\s\S]*?)^\1```[ \t]*$/gm
const NOT_RUN = /<!--\s*not run:\s*([\s\S]*?)\s*-->\s*$/

function blocksOf(markdown: string): Block[] {
  const blocks: Block[] = []
  for (const match of markdown.matchAll(FENCE)) {
    const [, indent = '', language = '', body = ''] = match
    const before = markdown.slice(0, match.index).replace(/\s*$/, '')
    const lastLine = before.slice(before.lastIndexOf('\n') + 1)
    blocks.push({
      language,
      body: body.replace(new RegExp(`^${indent}`, 'gm'), ''),
      line: before.split('\n').length + 1,
      skipReason: NOT_RUN.exec(lastLine)?.[1],
    })
  }
  return blocks
}

type Kind = 'js' | 'sh' | 'json' | 'expected-output' | 'illustration' | 'not-run' | 'unmarked'

/** What the runner does with a block, given the block before it. */
function kindOf(block: Block, previous: Block | undefined): Kind {
  if (block.skipReason !== undefined) return 'not-run'
  if (block.language === 'js' || block.language === 'sh' || block.language === 'json') return block.language
  if (block.language !== 'text') return 'unmarked'
  return previous?.language === 'sh' && previous.skipReason === undefined ? 'expected-output' : 'illustration'
}

const glob = (line: string) =>
  new RegExp(
    `^${line
      .trim()
      .split('…')
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  )

// Programs live under node_modules/ so that bare specifiers resolve to the workspace packages.
const programs = join(ROOT, 'node_modules/.cache/tessera-docs')
mkdirSync(programs, { recursive: true })
const work = mkdtempSync(join(tmpdir(), 'tessera-docs-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

async function runJs(name: string, source: string): Promise<string> {
  const file = join(programs, `${name}.mjs`)
  writeFileSync(file, source)
  const { stdout } = await execFileAsync(process.execPath, [file], { cwd: work, timeout: 60_000 })
  return stdout
}

async function runSh(cwd: string, script: string): Promise<{ code: number; output: string }> {
  const env = { PATH: `${join(ROOT, 'node_modules/.bin')}:${process.env.PATH ?? ''}`, HOME: cwd }
  try {
    const { stdout } = await execFileAsync('bash', ['-eo', 'pipefail', '-c', `exec 2>&1\n${script}`], {
      cwd,
      env,
      timeout: 60_000,
    })
    return { code: 0, output: stdout }
  } catch (error) {
    const failure = error as { code?: number; stdout?: string }
    return { code: typeof failure.code === 'number' ? failure.code : -1, output: failure.stdout ?? '' }
  }
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
const slug = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-')

const anchorsOf = (markdown: string) =>
  new Set(
    markdown
      .replace(FENCE, '')
      .split('\n')
      .filter((line) => /^#{1,6} /.test(line))
      .map((line) => slug(line.replace(/^#+ /, ''))),
  )

/**
 * Relative links and images of a document that point at no file, or at a heading that README.md or a
 * docs/ guide does not have (anchors into other files, such as the package READMEs, are not checked).
 */
function brokenLinks(document: string, markdown: string): string[] {
  const targets = [...markdown.matchAll(/\]\(([^)\s]+)\)|<img[^>]+src="([^"]+)"/g)].map(
    (match) => (match[1] ?? match[2]) as string,
  )
  const broken: string[] = []
  for (const target of targets) {
    if (/^[a-z]+:/.test(target)) continue
    const [file = '', anchor] = target.split('#')
    const path = file === '' ? document : relative(ROOT, resolve(dirname(join(ROOT, document)), file))
    if (ARRIVING.has(path)) continue
    if (!existsSync(join(ROOT, path))) broken.push(target)
    else if (anchor !== undefined && documents.includes(path)) {
      if (!anchorsOf(readFileSync(join(ROOT, path), 'utf8')).has(anchor)) broken.push(target)
    }
  }
  return broken
}

describe('code blocks of README.md and docs/', () => {
  it('tells runnable, skipped and unmarked blocks apart', () => {
    const sample = [
      '```js\nconsole.log(1)\n```',
      '```sh\necho hi\n```',
      '```text\nhi\n```',
      '<!-- not run: a server -->\n```sh\nnpm start\n```',
      '```text\nlistening\n```',
      '```json\n{}\n```',
      '```\nbare\n```',
      '- a list item:\n\n  ```ts\n  const x = 1\n  ```',
    ].join('\n\n')
    const blocks = blocksOf(sample)
    expect(blocks.map((block, index) => kindOf(block, blocks[index - 1]))).toEqual([
      'js',
      'sh',
      'expected-output',
      'not-run',
      'illustration',
      'json',
      'unmarked',
      'unmarked',
    ])
    expect(blocks[3]?.skipReason).toBe('a server')
    expect(blocks[7]?.body).toBe('const x = 1\n')
    expect(slug('Apps: register an app and sign people in with OpenID Connect')).toBe(
      'apps-register-an-app-and-sign-people-in-with-openid-connect',
    )
    expect(slug('`createLocalJWKSet(jwks, { maxCandidates })`')).toBe('createlocaljwksetjwks--maxcandidates-')
  })

  it('has js programs to run', () => {
    const count = documents
      .filter((document) => !(document in OWN_RUNNERS))
      .flatMap((document) => blocksOf(readFileSync(join(ROOT, document), 'utf8')))
      .filter((block) => block.language === 'js' && block.skipReason === undefined).length
    expect(count).toBeGreaterThan(10)
  })

  for (const document of documents) {
    const markdown = readFileSync(join(ROOT, document), 'utf8')
    describe(document, () => {
      it('links only to files and headings that exist', () => {
        expect(brokenLinks(document, markdown)).toEqual([])
      })

      const runner = OWN_RUNNERS[document]
      if (runner !== undefined) {
        it(`has its blocks run by ${runner}`, () => {
          expect(readFileSync(join(ROOT, runner), 'utf8')).toContain(document.replace(/^docs\//, ''))
        })
        return
      }

      const blocks = blocksOf(markdown)
      let shellDir: string | undefined
      for (const [index, block] of blocks.entries()) {
        const title = `line ${block.line} (${block.language || 'no language'})`
        const kind = kindOf(block, blocks[index - 1])
        if (kind === 'not-run') {
          it.skip(`${title}: not run: ${block.skipReason}`, () => {})
        } else if (kind === 'expected-output') {
          it.skip(`${title}: the expected output of the sh block above, checked there`, () => {})
        } else if (kind === 'illustration') {
          it.skip(`${title}: output or an illustration, not a program`, () => {})
        } else if (kind === 'js') {
          // Programs are independent of each other: run them side by side.
          it.concurrent(`${title}: ${(block.body.split('\n').find((line) => line && !line.startsWith('import')) ?? '').slice(0, 60)}`, async () => {
            const output = await runJs(`${document.replace(/\W+/g, '-')}-${block.line}`, block.body)
            const lines = output.trim().split('\n')
            for (const match of block.body.matchAll(/console\.log\(.*\) \/\/ (.*)$/gm))
              expect(lines).toContain(((match[1] as string).split(' — ')[0] as string).trim())
          })
        } else if (kind === 'sh') {
          const next = blocks[index + 1]
          const expected =
            next && kindOf(next, block) === 'expected-output'
              ? next.body.split('\n').filter((line) => line.trim() !== '')
              : []
          it(`${title}: ${block.body.split('\n')[0]?.slice(0, 60)}`, async () => {
            shellDir ??= mkdtempSync(join(work, 'sh-'))
            const run = await runSh(shellDir, block.body)
            expect(run.code, run.output).toBe(0)
            const lines = run.output.split('\n').map((line) => line.trim())
            for (const line of expected)
              expect(
                lines.some((candidate) => glob(line).test(candidate)),
                `${line}\n--- in ---\n${run.output}`,
              ).toBe(true)
          })
        } else if (kind === 'json') {
          it(`${title}: parses`, () => {
            expect(() => JSON.parse(block.body)).not.toThrow()
          })
        } else {
          it(`${title}: is marked js, sh, json or text, or has a <!-- not run: reason --> comment`, () => {
            expect.fail(`${document} line ${block.line}: a \`${block.language || 'bare'}\` block nobody runs`)
          })
        }
      }
    })
  }
})
