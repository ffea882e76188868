export * from './request';
export * from './schema';
export * from './pki';
