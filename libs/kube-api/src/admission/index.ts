export * from './runtime-class';
