export * from './resources';
export * from './events/catalogue';
export * from './subjects';
export * from './admission';
export * from './errors';
export * from './crx';
export * from './local-cluster';
export * from './pod-network';
