export * from './errors';
export * from './assert';
export * from './money';
export * from './time';
export * from './passwords';
export * from './validation';
export * from './csv';
export * from './phone';
