export * from './exponential-backoff';
export * from './work-queue';
export * from './terminal-error';
export * from './level-triggered';
export * from './reconciler-logger';
export * from './controller';
