import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

// Every name exported from a package's public entry points has a TSDoc comment: the API reference
// (`npm run docs`, TypeDoc) is generated from them. scripts/check-doc-comments.mjs reads the entry
// points from each workspace package.json's `exports` and asks the TypeScript compiler.
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url))
const CHECK = join(ROOT, 'scripts/check-doc-comments.mjs')
const run = promisify(execFile)

async function undocumented(...entries: string[]): Promise<string[]> {
  const { stdout } = await run(process.execPath, [CHECK, '--json', ...entries]).catch(
    (error: { stdout?: string; code?: number }) => {
      // Exit code 1 means "some are missing"; anything else is the checker failing.
      if (error.code !== 1 || error.stdout === undefined) throw error
      return { stdout: error.stdout }
    },
  )
  return JSON.parse(stdout) as string[]
}

describe('doc comments on exported names', () => {
  it('every export of every package entry point has one', async () => {
    const { stdout, stderr } = await run(process.execPath, [CHECK]).catch(
      (error: { stdout: string; stderr: string }) => error,
    )
    expect(stderr, stdout).toBe('')
  })

  it('the check reports exactly the undocumented names of a fixture entry point', async () => {
    const fixture = fileURLToPath(new URL('fixtures/undocumented/index.ts', import.meta.url))
    const missing = await undocumented(fixture)
    expect(missing.map((line) => line.split(': ')[1]).sort()).toEqual([
      'EmptyDocComment',
      'Undocumented',
      'lineCommentOnly',
      'renamed',
    ])
  })
})
