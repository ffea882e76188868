export * from './webhook-call';
