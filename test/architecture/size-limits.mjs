// The size limits of the product's tree (issue 26): a file holds one idea and a function fits on one
// screen. eslint.config.mjs applies them with every other rule; size-limits.test.ts runs ESLint with
// this file alone, so that `npm test` holds the tree to them.
import tseslint from 'typescript-eslint';

export const SIZE_LIMITS = {
  files: ['lib/**/*.ts', 'client/**/*.ts', 'cli/**/*.ts', 'charts/**/*.ts', 'test/cluster/**/*.ts'],
  rules: {
    'max-lines': ['error', { max: 450, skipBlankLines: false, skipComments: false }],
    'max-lines-per-function': ['error', { max: 80, skipBlankLines: false, skipComments: false }],
  },
};

export default [{ ...SIZE_LIMITS, languageOptions: { parser: tseslint.parser } }];
