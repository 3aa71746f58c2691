export * from './app';
export * from './charger-simulator';
