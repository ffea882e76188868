// Lets a child process started by an integration test run the TypeScript
// sources directly, the way Jest does: swc compiles each .ts file on load and
// @openpacific/<lib> resolves to libs/<lib>/src, so no build is needed first.
const Module = require('node:module');
const fs = require('node:fs');
const path = require('node:path');
const swc = require('@swc/core');

const root = path.resolve(__dirname, '../../..');
const originalResolve = Module._resolveFilename;
Module._resolveFilename = function resolve(request, parent, ...rest) {
  const lib = /^@openpacific\/([^/]+)$/.exec(request);
  if (lib) return originalResolve.call(this, path.join(root, 'libs', lib[1], 'src', 'index.ts'), parent, ...rest);
  return originalResolve.call(this, request, parent, ...rest);
};

require.extensions['.ts'] = function compile(module, filename) {
  const { code } = swc.transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    sourceMaps: 'inline',
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};
