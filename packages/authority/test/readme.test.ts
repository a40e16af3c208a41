import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { SETTINGS } from '../src/config/defaults.js'

describe('README configuration table', () => {
  it('documents every setting and nothing else', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
    const rows = [...readme.matchAll(/^\| `([A-Z0-9_]+)` *\| `(\w+)` *\|/gm)].map((match) => [
      match[1],
      match[2],
    ])
    expect(rows).toEqual(Object.entries(SETTINGS).map(([name, spec]) => [spec.env, name]))
  })
})
