import { fileURLToPath } from 'node:url'

/** The committed drizzle-kit output, found relative to this file so any working directory works. */
export const migrationsFolder = fileURLToPath(new URL('../migrations', import.meta.url))
