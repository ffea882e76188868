export * from './eventually';
export * from './database';
export * from './nats';
export * from './cluster';
export * from './oci';
export * from './invariants';
export * from './nats-cluster';
export * from './ports';
