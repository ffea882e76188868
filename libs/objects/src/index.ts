export * from './read-model';
export * from './log-follower';
export * from './watch-hub';
