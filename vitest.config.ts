import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    // The authority's cluster test (three instances, haproxy, PostgreSQL) takes about 30 s: it runs
    // here too, and alone as `npm run test:cluster`.
    include: ['packages/*/test/**/*.test.ts', 'packages/authority/cluster/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // One throwaway PostgreSQL cluster per run for the authority's storage and multi-instance tests.
    globalSetup: ['packages/authority/test/setup/postgres.global.ts'],
  },
})
