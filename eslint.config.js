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
    // The engine is pure: no framework, database, SaaS client or Node built-in may leak in.
    files: ['engine/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['hono', 'hono/*', '@hono/*'], message: 'engine/ is pure: no HTTP framework.' },
            { group: ['drizzle-orm', 'drizzle-orm/*', 'pg', '@electric-sql/*', '@neondatabase/*'], message: 'engine/ is pure: no database.' },
            { group: ['@upstash/*'], message: 'engine/ is pure: no SaaS clients.' },
            { group: ['node:*', 'fs', 'path', 'crypto', 'os'], message: 'engine/ is pure: web-standard APIs only.' },
            { group: ['../db/*', '../edge/*', '../worker/*'], message: 'engine/ depends on nothing else in the project.' },
          ],
        },
      ],
    },
  },
  {
    // Routes talk to repositories through services, never to the schema directly.
    files: ['edge/routes/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/db/schema*'], message: 'Use the repositories in db/.' }] }],
    },
  },
)
