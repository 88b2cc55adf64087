// Resolves the @agreements/* aliases of tsconfig.base.json against the compiled tree in dist/,
// so the built apps run with plain `node` and the aliases are declared in one place only.
const path = require('node:path');
const tsconfigPaths = require('tsconfig-paths');
const { compilerOptions } = require('../tsconfig.base.json');
tsconfigPaths.register({ baseUrl: path.join(__dirname, '..', 'dist'), paths: compilerOptions.paths });
