export * from './validate';
export * from './jsonpath';
export * from './table';
export * from './discovery';
export * from './openapi';
export * from './cel';
export { re2, re2CompileError, re2FindAll, re2Test } from './re2';
export { INT32_MAX, INT32_MIN, JSON_INTEGER_MAX } from './integer-bounds';
