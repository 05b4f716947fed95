// @ts-check
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['node_modules/', '.data/', 'dist/', '.wrangler/', 'migrations/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // The engine is pure: no framework, database, SaaS client, Node built-in or other project folder.
    files: ['engine/**/*.ts'],
    // Its tests also use vitest and fast-check.
    ignores: ['engine/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['hono', 'hono/*', '@hono/*'], message: 'engine/ is pure: no HTTP framework.' },
            { group: ['drizzle-orm', 'drizzle-orm/*', 'pg', '@electric-sql/*', '@neondatabase/*'], message: 'engine/ is pure: no database.' },
            { group: ['@upstash/*'], message: 'engine/ is pure: no SaaS clients.' },
            { group: ['node:*', 'fs', 'path', 'crypto', 'os'], message: 'engine/ is pure: web-standard APIs only.' },
            {
              group: ['**/db', '**/db/**', '**/edge', '**/edge/**', '**/worker', '**/worker/**', '**/services', '**/services/**', '**/jobs', '**/jobs/**', '**/bench/**', '**/test/**', '**/scripts/**'],
              message: 'engine/ depends on nothing else in the project.',
            },
            // Anything else from npm: only zod and the stemmer library.
            { regex: '^(?!\\.|zod$|zod/|snowball-stemmers$)', message: 'engine/ may import only zod and snowball-stemmers.' },
          ],
        },
      ],
    },
  },
  {
    files: ['engine/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/db/**', '**/edge/**', '**/worker/**', '**/services/**', '**/jobs/**'], message: 'engine/ depends on nothing else in the project.' }] },
      ],
    },
  },
  {
    // Shared code below both transports: it never reaches up into one of them.
    files: ['services/**/*.ts', 'jobs/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/edge', '**/edge/**'], message: 'services/ and jobs/ are used by edge/; they may not import it.' },
            { group: ['**/worker', '**/worker/**'], message: 'services/ and jobs/ are used by worker/; they may not import it.' },
          ],
        },
      ],
    },
  },
  {
    // The worker container and the HTTP edge are siblings: what they share lives in services/ and jobs/.
    files: ['worker/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/edge', '**/edge/**'], message: 'worker/ never imports edge/: move the shared code to services/ or jobs/.' }] }],
    },
  },
  {
    files: ['edge/**/*.ts'],
    ignores: ['edge/routes/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/worker', '**/worker/**'], message: 'edge/ never imports worker/: move the shared code to services/ or jobs/.' }] }],
    },
  },
  {
    // Routes talk to repositories and services, never to the schema directly (and never to worker/).
    files: ['edge/routes/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/db/schema*'], message: 'Use the repositories in db/.' },
            { group: ['**/worker', '**/worker/**'], message: 'edge/ never imports worker/: move the shared code to services/ or jobs/.' },
          ],
        },
      ],
    },
  },
)
