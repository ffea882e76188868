export * from './status';
export * from './body';
export * from './selectors';
export * from './patch';
export * from './managed-fields';
export * from './metadata';
export * from './quantity';
export { decodeEnvelope, decodeFields } from './protobuf';
export * from './go-quote';
