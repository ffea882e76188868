export * from './access-modes';
export * from './storage-class.resource';
export * from './persistent-volume-claim.resource';
export * from './persistent-volume.resource';
export * from './ephemeral-volumes';
