import { defineConfig } from 'drizzle-kit'

// `db:generate` and `db:check` only read the schema; DATABASE_URL matters only for drizzle-kit's
// optional `push`/`studio`, so a local default keeps the offline commands working without env.
export default defineConfig({
  dialect: 'postgresql',
  schema: './db/schema.ts',
  out: './migrations',
  dbCredentials: { url: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' },
  strict: true,
})
