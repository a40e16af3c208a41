// Regenerates the error-code table of docs/error-codes.md from ERROR_CODES (run after `npm run build`).
// packages/jose/test/errors.test.ts fails when the two disagree.
import { readFileSync, writeFileSync } from 'node:fs'
import { ERROR_CODES } from '../packages/jose/dist/index.js'

const readme = new URL('../docs/error-codes.md', import.meta.url)
const text = readFileSync(readme, 'utf8')
const rows = Object.entries(ERROR_CODES).map(([code, description]) => `| \`${code}\` | ${description} |`)
const table = ['| code | meaning |', '| --- | --- |', ...rows].join('\n')
const updated = text.replace(
  /<!-- error-codes:start -->[\s\S]*<!-- error-codes:end -->/,
  `<!-- error-codes:start -->\n${table}\n<!-- error-codes:end -->`,
)
writeFileSync(readme, updated)
console.log(`${rows.length} error codes written to docs/error-codes.md`)
