export * from './request';
export * from './schema';
export * from './pki';
export * from './schedule/cron';
export * from './webhooks';
export * from './admission';
