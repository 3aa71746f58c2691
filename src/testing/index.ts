export * from './app';
export * from './charger-simulator';
export * from './version-scripts';
export * from './web-client';
export * from './browser';
export * from './tls';
export * from './load-simulator';
export * from './load-site';
