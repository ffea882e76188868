export * from './validate';
export * from './jsonpath';
export * from './table';
export * from './discovery';
export * from './openapi';
export * from './cel';
