export * from './authorize';
