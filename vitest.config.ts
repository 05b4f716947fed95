import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', '.data/**', 'dist/**', '.wrangler/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    env: {
      UPSTASH_DISABLE_TELEMETRY: '1',
      WRANGLER_SEND_METRICS: 'false',
      CLOUDFLARE_CF_FETCH_ENABLED: 'false',
    },
  },
})
