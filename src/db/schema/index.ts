// Every table of the appliance, one file per owning domain: a table in `<domain>.ts` is read and
// written only by `src/<domain>/` (the architecture test checks it). drizzle-kit generates the SQL
// migrations in migrations/ from this module.
export * from './settings';
export * from './chargers';
export * from './sessions';
export * from './access';
export * from './ledger';
export * from './drivers';
export * from './tariffs';
export * from './billing';
export * from './qrstart';
export * from './till';
export * from './reports';
export * from './staff';
export * from './ocpp';
export * from './jobs';
export * from './load';
