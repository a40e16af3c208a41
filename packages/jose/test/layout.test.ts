/**
 * The layout of packages/jose/src is a rule, not a habit: each concept folder owns its machinery,
 * `lib/` holds only what every concept shares, and dependencies run one way,
 * errors ← jwa ← lib ← jwk/jws/jwe ← jwt ← jwks ← index.ts. Machinery in an `internal/` folder is
 * never exported from index.ts. Every relative import is read from the source text, `import type`
 * included, so an arrow pointing back up fails here before it becomes an import circle.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const SRC = fileURLToPath(new URL('../src/', import.meta.url))

type Layer = 'errors' | 'jwa' | 'lib' | 'jwk' | 'jws' | 'jwe' | 'jwt' | 'jwks' | 'index'

/** What each layer may import besides itself. */
const MAY_IMPORT: Record<Layer, readonly Layer[]> = {
  errors: [],
  jwa: ['errors'],
  lib: ['errors', 'jwa'],
  jwk: ['errors', 'jwa', 'lib'],
  jws: ['errors', 'jwa', 'lib'],
  jwe: ['errors', 'jwa', 'lib'],
  jwt: ['errors', 'jwa', 'lib', 'jwk', 'jws', 'jwe'],
  jwks: ['errors', 'jwa', 'lib', 'jwk', 'jws', 'jwe', 'jwt'],
  index: ['errors', 'jwa', 'lib', 'jwk', 'jws', 'jwe', 'jwt', 'jwks'],
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return sourceFiles(path)
    return entry.name.endsWith('.ts') ? [relative(SRC, path)] : []
  })
}

function layerOf(file: string): Layer {
  // options.ts is a second entry point (@tessera/jose/options), in the same layer as index.ts.
  if (file === 'index.ts' || file === 'options.ts') return 'index'
  if (file === 'errors.ts') return 'errors'
  const [top] = file.split('/')
  if (top && top in MAY_IMPORT) return top as Layer
  throw new Error(`${file} is in no layer: add its folder to MAY_IMPORT`)
}

// `import …`, `import type …`, `export … from` and `import('…')`, relative specifiers only.
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.{1,2}\/[^'"]+)['"]/g

interface Edge {
  readonly from: string
  readonly to: string
}

function importsOf(file: string): Edge[] {
  const text = readFileSync(join(SRC, file), 'utf8')
  return [...text.matchAll(SPECIFIER)].map((match) => ({
    from: file,
    to: relative(SRC, resolve(dirname(join(SRC, file)), (match[1] as string).replace(/\.js$/, '.ts'))),
  }))
}

const files = sourceFiles(SRC)
const edges = files.flatMap(importsOf)

describe('the layout of packages/jose/src', () => {
  it('reads every import (a regex that matched nothing would pass every rule below)', () => {
    expect(files.length).toBeGreaterThan(60)
    expect(edges.length).toBeGreaterThan(300)
    const known = new Set(files)
    expect(edges.filter((edge) => !known.has(edge.to))).toEqual([])
  })

  it('keeps every dependency pointing down: errors ← jwa ← lib ← jwk/jws/jwe ← jwt ← jwks ← index', () => {
    const upward = edges
      .filter(({ from, to }) => {
        const source = layerOf(from)
        const target = layerOf(to)
        return source !== target && !MAY_IMPORT[source].includes(target)
      })
      .map(({ from, to }) => `${from} -> ${to}`)
    expect(upward).toEqual([])
  })

  it('lets lib/ import no concept folder, and jws/ and jwe/ not each other', () => {
    const crossing = edges
      .filter(({ from, to }) => {
        const [source, target] = [layerOf(from), layerOf(to)]
        if (source === 'lib') return ['jwk', 'jws', 'jwe', 'jwt', 'jwks'].includes(target)
        return (source === 'jws' && target === 'jwe') || (source === 'jwe' && target === 'jws')
      })
      .map(({ from, to }) => `${from} -> ${to}`)
    expect(crossing).toEqual([])
  })

  it('exports nothing from an internal/ folder, and nothing imports index.ts', () => {
    const fromIndex = edges.filter((edge) => edge.from === 'index.ts' && edge.to.includes('/internal/'))
    expect(fromIndex).toEqual([])
    expect(edges.filter((edge) => edge.to === 'index.ts')).toEqual([])
  })

  it('has no import circles, type-only imports included', () => {
    const out = new Map<string, string[]>()
    for (const { from, to } of edges) out.set(from, [...(out.get(from) ?? []), to])
    const state = new Map<string, 'open' | 'done'>()
    const circles: string[] = []
    const visit = (file: string, path: readonly string[]) => {
      state.set(file, 'open')
      for (const next of out.get(file) ?? []) {
        if (state.get(next) === 'open') {
          const open = [...path, file]
          circles.push([...open.slice(open.indexOf(next)), next].join(' -> '))
        } else if (!state.has(next)) visit(next, [...path, file])
      }
      state.set(file, 'done')
    }
    for (const file of files) if (!state.has(file)) visit(file, [])
    expect(circles).toEqual([])
  })
})
