// Every table of the appliance. Each domain keeps its tables in its own file here; drizzle-kit
// generates the SQL migrations in migrations/ from this module.
export * from './core';
export * from './money';
export * from './staff';
export * from './ocpp201';
export * from './qrstart';
export * from './jobs';
export * from './reports';
