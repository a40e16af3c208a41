import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // One throwaway PostgreSQL cluster per run for the authority's storage and multi-instance tests.
    globalSetup: ['packages/authority/test/setup/postgres.global.ts'],
  },
})
