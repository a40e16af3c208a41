import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'

// The README's examples run against the built package, as a user's code would import it.
const root = fileURLToPath(new URL('../../../', import.meta.url))
const readme = readFileSync(join(root, 'README.md'), 'utf8')
const examples = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((match) => match[1] as string)
const work = mkdtempSync(join(tmpdir(), 'tessera-readme-'))
const dist = join(root, 'packages/jose/dist/index.js')

afterAll(() => rmSync(work, { recursive: true, force: true }))

describe('README examples', () => {
  it('has examples', () => {
    expect(examples.length).toBeGreaterThan(10)
  })

  for (const [index, source] of examples.entries()) {
    const title = source.split('\n').find((line) => line && !line.startsWith('import')) ?? `example ${index}`
    it(`example ${index + 1}: ${title.slice(0, 60)}`, () => {
      const file = join(work, `example-${index}.mjs`)
      writeFileSync(file, source.replaceAll("from '@tessera/jose'", `from ${JSON.stringify(dist)}`))
      const output = execFileSync(process.execPath, [file], { encoding: 'utf8', timeout: 60_000 })
      // Where the example states its output in a trailing comment, hold it to that.
      const expected = [...source.matchAll(/console\.log\(.*\) \/\/ (.*)$/gm)].map(
        (match) => (match[1] as string).split(' — ')[0] as string,
      )
      const lines = output.trim().split('\n')
      for (const line of expected) expect(lines).toContain(line.trim())
    })
  }
})
