// One Jest run covers every tier; each tier is a project so it can be run alone
// (`npx jest --selectProjects int`). Sources are compiled by swc; imports of
// @openpacific/* resolve to the libraries' TypeScript sources.
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
  },
];
const common = {
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper: { '^@openpacific/([^/]+)$': '<rootDir>/libs/$1/src' },
  testEnvironment: 'node',
};
module.exports = {
  testTimeout: 30_000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{libs,services,deploy}/**/src/**/*.spec.ts', '<rootDir>/test/compose/**/*.spec.ts'] },
    { ...common, displayName: 'int', testTimeout: 30_000, testMatch: ['<rootDir>/{libs,services,deploy}/**/src/**/*.int-spec.ts'] },
    // Whole-cluster tests drive many kubectl processes; on two shared cores a step can take seconds.
    { ...common, displayName: 'e2e', testTimeout: 90_000, testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'] },
    { ...common, displayName: 'chaos', testTimeout: 120_000, testMatch: ['<rootDir>/test/chaos/**/*.chaos-spec.ts'] },
  ],
};
