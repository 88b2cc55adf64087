// Runs the TypeScript sources directly in a child process (node -r this file apps/relay/src/main.ts),
// compiled on load with the same swc settings as jest, the @agreements/* aliases resolved to the
// sources. Tests use it to kill -9 a real relay process without building dist/ first.
const fs = require('node:fs');
const path = require('node:path');
const swc = require('@swc/core');
const tsconfigPaths = require('tsconfig-paths');
const { compilerOptions } = require('../../../tsconfig.base.json');

const ROOT = path.join(__dirname, '..', '..', '..');
tsconfigPaths.register({ baseUrl: ROOT, paths: compilerOptions.paths });

const options = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};

require.extensions['.ts'] = function compileTypeScript(module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const { code } = swc.transformSync(source, { ...options, filename });
  module._compile(code, filename);
};
