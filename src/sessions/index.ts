export { SessionService, STUCK_SESSION_FLAG, closeSessionSchema } from './service';
export type { MeterValueInput, SessionHooks } from './service';
export { SessionRepository } from './repository';
export type { SessionFilter, SessionRow } from './repository';
export { activePowerW, energyRegisterWh } from './meter';
export { SESSION_FLAGS, parseFlags } from './flags';
export type { SampledValueLike } from './meter';
