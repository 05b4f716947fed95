/** Transitional alias until edge/entries/workers.ts imports `createJobsRepository` from './jobs'. */
export { createJobsRepository as createBatchJobsRepository } from './jobs'
