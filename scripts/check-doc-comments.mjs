#!/usr/bin/env node
// Every name a package exports from its public entry points (the `exports` of its package.json)
// carries a TSDoc comment: the API reference (`npm run docs`) is generated from those comments, and a
// name without one is a page that says nothing. Uses the TypeScript compiler API over the sources
// (no type check, no emit), so it runs in seconds.
//
//   node scripts/check-doc-comments.mjs                 the workspace packages
//   node scripts/check-doc-comments.mjs --json a.ts …   these entry files, the result as JSON
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')

/** The source entry files behind each workspace package's `exports` (types conditions). */
export function workspaceEntryPoints() {
  const { workspaces } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'))
  const entries = []
  for (const workspace of workspaces) {
    const manifest = JSON.parse(readFileSync(join(ROOT, workspace, 'package.json'), 'utf8'))
    for (const target of Object.values(manifest.exports ?? {})) {
      const types = typeof target === 'object' && target !== null ? target.types : undefined
      if (typeof types !== 'string') continue
      const source = types.replace(/^\.\/dist\//, './src/').replace(/\.d\.ts$/, '.ts')
      entries.push(join(ROOT, workspace, source))
    }
  }
  return entries
}

function hasDocComment(declaration) {
  // A variable's comment sits on its statement; getJSDocCommentsAndTags walks up to it.
  return ts.getJSDocCommentsAndTags(declaration).some((doc) => {
    if (!ts.isJSDoc(doc)) return false
    const text =
      typeof doc.comment === 'string' ? doc.comment : (doc.comment ?? []).map((part) => part.text).join('')
    return text.trim().length > 0
  })
}

/** Every .ts file in the folder of an entry point and below it. */
function sourcesBeside(entry) {
  return readdirSync(dirname(entry), { recursive: true, withFileTypes: true })
    .filter((file) => file.isFile() && file.name.endsWith('.ts') && !file.name.endsWith('.d.ts'))
    .map((file) => join(file.parentPath, file.name))
}

/** The exported names of each entry file that have no doc comment, as `entry: name` strings. */
export function undocumentedExports(entryFiles) {
  // Only the sources of the entry points' own packages are read (noResolve): a doc comment sits on a
  // declaration there, and loading the types of every dependency would triple the time.
  const program = ts.createProgram([...new Set(entryFiles.flatMap(sourcesBeside))], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    noEmit: true,
    noResolve: true,
    skipLibCheck: true,
    noLib: true,
    types: [],
  })
  const checker = program.getTypeChecker()
  const missing = []
  for (const entry of entryFiles) {
    const source = program.getSourceFile(entry)
    if (!source) throw new Error(`cannot read entry point ${entry}`)
    const module = checker.getSymbolAtLocation(source)
    if (!module) continue
    for (const exported of checker.getExportsOfModule(module)) {
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported
      const declarations = symbol.declarations ?? []
      if (!declarations.some(hasDocComment)) missing.push(`${relative(ROOT, entry)}: ${exported.name}`)
    }
  }
  return missing
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2)
  const json = args[0] === '--json'
  const files = json ? args.slice(1) : args
  const missing = undocumentedExports(files.length > 0 ? files : workspaceEntryPoints())
  if (json) console.log(JSON.stringify(missing))
  else if (missing.length > 0) {
    console.error(`${missing.length} exported names have no doc comment:\n  ${missing.join('\n  ')}`)
  }
  process.exitCode = missing.length > 0 ? 1 : 0
}
