export { JobScheduler } from './scheduler';
export type { Job, JobContext, JobResult, JobRun, JobStatus } from './scheduler';
export { createJobTable, STUCK_SESSION_FLAG } from './table';
export type { JobDependencies } from './table';
export { JobHistory } from './history';
