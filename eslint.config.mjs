import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

// Node built-ins in both spellings: 'fs' and 'node:fs'.
const builtins = builtinModules.flatMap((m) => [m, `node:${m}`]);

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'reports/**', 'packages/rpc/src/generated/**', 'coverage/**', '.cdnlab/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', { selector: "CallExpression[callee.property.name='only']", message: 'no .only in committed tests' }],
    },
  },
  {
    // STYLE 1 and 13: the core is pure. No node built-ins, none of our packages,
    // no wall clock: time is always passed in.
    files: ['packages/core/src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: builtins.map((name) => ({ name, message: 'core does no I/O: node built-ins are not allowed here' })),
        patterns: [{ group: ['@cdnlab/*'], message: 'core imports nothing of ours' }],
      }],
      'no-restricted-properties': ['error',
        { object: 'Date', property: 'now', message: 'core takes time as an argument' },
        { object: 'performance', property: 'now', message: 'core takes time as an argument' },
      ],
      'no-restricted-globals': ['error', 'setTimeout', 'setInterval', 'setImmediate', 'process', 'require', 'Buffer'],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
