/** The data layer's public surface: open a database, build repositories, run a transaction. */
export {
  createDatabase,
  chooseDriver,
  type Database,
  type DatabaseConfig,
  type DatabaseHandle,
  type Driver,
  type Transaction,
} from './client'
export { withTransaction } from './transaction'
export { DataError, type DataErrorCode } from './errors'
export { hashApiKey, generateApiKey } from './api-key-hash'
export type { Page } from './cursor'
export * from './repositories'
