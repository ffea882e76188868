export * from './snapshot-crds';
