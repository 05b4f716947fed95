import { availableParallelism } from 'node:os'
import { cloudflareTest } from '@cloudflare/vitest-pool-workers'
import { defineConfig } from 'vitest/config'

/**
 * Two projects, both run by `npm test` (`vitest run`):
 * - `node`: everything, in Node, against the real Postgres and Redis;
 * - `workers`: test/workers/** inside workerd through @cloudflare/vitest-pool-workers, with the
 *   real Workers entry and the Neon stand-ins started by test/workers/global-setup.ts.
 *
 * Test files run in parallel, at least two at a time (vitest's default, one less than the cores,
 * is one file at a time on a 2-core machine, where most files spend their time waiting on Postgres,
 * Redis or a child process). They are parallel-safe by construction: every file gets its own
 * database copied from the migrated template (test/harness/postgres.ts), its own Redis key prefix,
 * ports from the OS (0), scratch folders from mkdtemp, and screenshots under names of its own.
 * `npm test -- --maxWorkers=1` runs them one at a time again.
 *
 * A file that bounds a wall-clock time (ALONE) runs by itself once the others are done (project
 * `node-alone`, a later `sequence.groupOrder`), so a neighbour's CPU never counts against its bound.
 */
const maxWorkers = Math.max(2, availableParallelism())
const ALONE = ['test/batch/health-during-batch.test.ts']
const env = {
  UPSTASH_DISABLE_TELEMETRY: '1',
  WRANGLER_SEND_METRICS: 'false',
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
}

export default defineConfig({
  test: {
    maxWorkers,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    env,
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          include: ['**/*.test.ts'],
          exclude: ['node_modules/**', '.data/**', 'dist/**', '.wrangler/**', 'test/workers/**', ...ALONE],
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: { name: 'node-alone', include: ALONE, maxWorkers: 1, sequence: { groupOrder: 1 } },
      },
      {
        extends: true,
        plugins: [
          cloudflareTest(({ inject }) => ({
            main: './edge/entries/workers.ts',
            wrangler: { configPath: './wrangler.toml' },
            miniflare: { bindings: inject('workerd').bindings, compatibilityFlags: ['nodejs_compat'], compatibilityDate: '2026-04-01' },
          })),
        ],
        test: {
          name: 'workers',
          include: ['test/workers/**/*.test.ts'],
          globalSetup: ['test/workers/global-setup.ts'],
          sequence: { groupOrder: 0 },
        },
      },
    ],
  },
})
