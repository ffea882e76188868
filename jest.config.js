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
  // Whole-cluster tests drive many kubectl processes; on two shared cores one step can take seconds.
  // (Jest 29 takes testTimeout only at the top level, not per project.)
  testTimeout: 90_000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{libs,services,deploy}/**/src/**/*.spec.ts', '<rootDir>/test/compose/**/*.spec.ts'] },
    { ...common, displayName: 'int', testMatch: ['<rootDir>/{libs,services,deploy}/**/src/**/*.int-spec.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'] },
    { ...common, displayName: 'chaos', testMatch: ['<rootDir>/test/chaos/**/*.chaos-spec.ts'] },
    // The web console in headless Chromium (Debian's chromium, driven by playwright-core) and Firefox ESR (driven by
    // puppeteer-core over WebDriver BiDi); see test/browser/support.
    { ...common, displayName: 'browser', testMatch: ['<rootDir>/test/browser/**/*.browser-spec.ts'] },
  ],
};
