export * from './nats-connection';
export * from './request-reply';
export * from './event-stream';
export * from './event-relay';
export * from './event-consumer';
export * from './crx-client';
export * from './requester';
export * from './host-metrics';
