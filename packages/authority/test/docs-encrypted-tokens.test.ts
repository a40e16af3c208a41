import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'

// docs/encrypted-tokens.md: every ```js block runs against the built packages, as a user's code
// would import them, and prints what its trailing comments say.
const root = fileURLToPath(new URL('../../../', import.meta.url))
const guide = readFileSync(join(root, 'docs/encrypted-tokens.md'), 'utf8')
const examples = [...guide.matchAll(/```js\n([\s\S]*?)```/g)].map((match) => match[1] as string)
const work = mkdtempSync(join(tmpdir(), 'tessera-docs-encrypted-'))
const dist = {
  '@tessera/jose': join(root, 'packages/jose/dist/index.js'),
  '@tessera/authority': join(root, 'packages/authority/dist/index.js'),
  '@tessera/gateway': join(root, 'packages/gateway/dist/index.js'),
}

afterAll(() => rmSync(work, { recursive: true, force: true }))

describe('docs/encrypted-tokens.md examples', () => {
  it('has the guide examples, the end-to-end one included', () => {
    expect(examples.length).toBeGreaterThanOrEqual(3)
    expect(examples.some((source) => source.includes("from '@tessera/gateway'"))).toBe(true)
  })

  for (const [index, source] of examples.entries()) {
    it(`example ${index + 1}`, () => {
      let program = source
      for (const [name, path] of Object.entries(dist)) {
        program = program.replaceAll(`from '${name}'`, `from ${JSON.stringify(path)}`)
      }
      const file = join(work, `example-${index}.mjs`)
      writeFileSync(file, program)
      const output = execFileSync(process.execPath, [file], { encoding: 'utf8', timeout: 60_000 })
      const expected = [...source.matchAll(/console\.log\(.*\) \/\/ (.*)$/gm)].map(
        (match) => match[1] as string,
      )
      expect(expected.length).toBeGreaterThan(0)
      expect(output.trim().split('\n')).toEqual(expected.map((line) => line.trim()))
    }, 60_000)
  }
})
