// Lets a thread or a plain `node` process run this repository's TypeScript sources
// (node -r ./libs/worker-threads/src/swc-register.js file.ts): each file is compiled as it is
// required, with the @swc/core the jest transform already uses, and the @agreements/* aliases
// resolve to the sources. No build step, nothing written to disk. Only ever loaded when the code
// runs from its .ts sources (jest, scripts run from sources); built code never needs it.
const fs = require('node:fs');
const path = require('node:path');
const { transformSync } = require('@swc/core');
const tsconfigPaths = require('tsconfig-paths');

const root = path.resolve(__dirname, '..', '..', '..');
const { compilerOptions } = require(path.join(root, 'tsconfig.base.json'));

require.extensions['.ts'] = function compileTypeScript(module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const { code } = transformSync(source, {
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

tsconfigPaths.register({ baseUrl: root, paths: compilerOptions.paths });
