import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

/** `npm run test:cluster`: the scale-out proof alone (`npm test` runs it too, with everything else). */
export default defineConfig({
  root: fileURLToPath(new URL('../../../', import.meta.url)),
  test: {
    include: ['packages/authority/cluster/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    globalSetup: ['packages/authority/test/setup/postgres.global.ts'],
  },
})
