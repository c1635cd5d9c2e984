import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import { SIZE_LIMITS } from './test/architecture/size-limits.mjs';

export default tseslint.config(
  {
    ignores: [
      'imports/**',
      'dist/**',
      '.cdk8s/**',
      'node_modules/**',
      'coverage/**',
      'build/**',
      'test/package/fixtures/**',
      'templates/**',
      'docs/api/**',
    ],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }],
      '@typescript-eslint/consistent-type-imports': 'error',
      // One YAML library (issue 26): cdk8s's `yaml` writes 2-3.5x and reads 12x slower at fleet size.
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'yaml',
              message: 'Use js-yaml, the one YAML library (lib/core/yaml.ts writes YAML 1.2).',
            },
          ],
        },
      ],
    },
  },
  SIZE_LIMITS,
  {
    // Tests walk synthesized manifests, which are untyped JSON by nature.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    files: ['**/*.mjs', '**/*.cjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { ...tseslint.configs.disableTypeChecked.languageOptions, globals: globals.node },
  },
  prettier,
);
