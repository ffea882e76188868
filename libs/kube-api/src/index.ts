export * from './request';
export * from './schema';
