export { JobScheduler } from './scheduler';

export type { JobRun } from './history';
export { createJobTable } from './table';
export type { JobDependencies } from './table';
export { JobHistory } from './history';
