// The direction of every dependency between our apps and libs, checked by `npm run deps` (part of
// `npm run lint`, so of `npm test`). Paths are repository-relative; the @agreements/* aliases are
// resolved through tsconfig.json, so an import through an alias counts like any other.

/** Which of our libs each lib may import (the domain and the worker-thread helper: none). */
const LIB_MAY_IMPORT = {
  domain: [],
  'worker-threads': [],
  'event-store': ['domain', 'worker-threads'],
  'read-models': ['domain', 'event-store', 'worker-threads'],
  messaging: ['domain', 'event-store', 'worker-threads'],
  application: ['domain', 'event-store'],
  ledger: ['domain', 'event-store'],
  platform: ['domain', 'event-store', 'read-models', 'messaging', 'worker-threads', 'application', 'ledger'],
};

const TESTS = '\\.(spec|int-spec|e2e-spec)\\.ts$';

const libDirection = Object.entries(LIB_MAY_IMPORT).map(([lib, allowed]) => ({
  name: `lib-direction-${lib}`,
  comment: `libs/${lib} may import ${allowed.length ? allowed.map((l) => `libs/${l}`).join(', ') : 'no other lib of ours'}`,
  severity: 'error',
  // Tests and testing/ helpers may use other libs' testing helpers (a test database, a workload).
  from: { path: `^libs/${lib}/`, pathNot: [TESTS, '/testing/'] },
  to: { path: '^libs/', pathNot: `^libs/(${[lib, ...allowed].join('|')})/` },
}));

module.exports = {
  forbidden: [
    {
      name: 'no-app-imports-another-app',
      comment: 'Apps are thin mains over the libs: what two apps share belongs in a lib.',
      severity: 'error',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'no-lib-imports-an-app',
      comment: 'Dependencies point from apps to libs, never back.',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    ...libDirection,
    {
      name: 'no-testing-in-production',
      comment: "Production code never loads a lib's testing/ helpers (tests, test/ and bench/ may).",
      severity: 'error',
      from: { path: '^(apps|libs)/', pathNot: [TESTS, '/testing/'] },
      to: { path: '/testing/' },
    },
    {
      name: 'console-is-a-browser-app',
      comment: 'apps/console is bundled for the browser: of our libs it may use only the pure domain.',
      severity: 'error',
      from: { path: '^apps/console/' },
      to: { path: '^libs/(?!domain/)' },
    },
    {
      name: 'console-has-no-node-core',
      comment: 'A Node built-in does not bundle for the browser.',
      severity: 'error',
      from: { path: '^apps/console/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'no-circular',
      comment: 'A cycle makes the load order decide what is defined.',
      severity: 'error',
      from: {},
      // A type-only import is erased when compiled: it cannot take part in a load-order cycle.
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules|coverage)/' },
    tsConfig: { fileName: 'tsconfig.json' },
    // Type-only imports are dependencies too.
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js', '.json'] },
  },
};
