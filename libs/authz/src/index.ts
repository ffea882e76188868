export * from './rbac';
export * from './escalation';
