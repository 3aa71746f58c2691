export { SessionService, STUCK_SESSION_FLAG } from './service';
export type { MeterValueInput, SessionChange, SessionHooks, StartInput, StartResult, StopInput, StopResult } from './service';
export { SessionRepository } from './repository';
export type { SessionFilter, SessionRow, MeterValueRow } from './repository';
export { energyRegisterWh } from './meter';
export type { SampledValueLike } from './meter';
