import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', require: 'readonly', module: 'writable', __dirname: 'readonly', console: 'readonly' } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-require-imports': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/libs/*/src/**', '../../libs/**'], message: 'Import a lib through its root alias (@agreements/...).' }] }],
    },
  },
  {
    // Tests may reach a lib's testing helpers (and the EventStoreDB test server) directly; those
    // are not part of the lib's public surface, so they are not exported through its alias.
    files: ['test/**/*.ts', '**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts', 'bench/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{
        regex: 'libs/[^/]+/src/(?!testing/|esdb/test-server/)',
        message: 'Import a lib through its root alias (@agreements/...); only its testing helpers directly.',
      }] }],
    },
  },
  {
    // The domain is pure: no framework, no I/O, no other lib of ours.
    files: ['libs/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['@nestjs/*', '@agreements/*', 'node:*', 'fs', 'crypto', 'better-sqlite3', 'kafkajs', 'pg', 'kysely'], message: 'libs/domain stays pure: no framework, no I/O, no other lib.' },
      ] }],
      'no-restricted-syntax': ['error',
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'The domain gets time from the command; it never reads the clock.' },
        { selector: "MemberExpression[object.name='Date'][property.name='now']", message: 'The domain gets time from the command; it never reads the clock.' },
        { selector: "MemberExpression[object.name='Math'][property.name='random']", message: 'No randomness in the domain.' },
      ],
    },
  },
  {
    // The console is a browser app: no Node built-ins, no server framework, no lib but pure code.
    files: ['apps/console/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['node:*', 'fs', 'path', 'crypto', '@nestjs/*', 'fastify', '@agreements/*', '!@agreements/domain'], message: 'apps/console runs in the browser: only preact and pure code.' },
      ] }],
    },
  },
);
