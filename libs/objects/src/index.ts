export * from './read-model';
export * from './log-follower';
export * from './watch-hub';
export * from './pass-loop';
export * from './poked-follower';
export * from './pod-failover';
export * from './vm-placement';
export * from './secret-codec';
