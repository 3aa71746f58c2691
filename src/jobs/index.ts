export { JobScheduler } from './scheduler';
export type { Job, JobContext, JobStatus } from './scheduler';
export type { JobResult, JobRun } from './history';
export { createJobTable } from './table';
export type { JobDependencies } from './table';
export { JobHistory } from './history';
