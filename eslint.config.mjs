import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      'coverage/**',
      '**/data/**',
      'packages/type-tests/snippets/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { project: './tsconfig.json', tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        Buffer: 'readonly',
        fetch: 'readonly',
        document: 'readonly',
        window: 'readonly',
        FormData: 'readonly',
        XMLHttpRequest: 'readonly',
        performance: 'readonly',
      },
    },
  },
  {
    files: [
      'packages/core/src/**/*.ts',
      'packages/express-guard/src/**/*.ts',
      'packages/koa-guard/src/**/*.ts',
    ],
    rules: { 'no-console': 'error' },
  },
  {
    // Tests read supertest's untyped `res.body`; type-level strictness there buys nothing.
    files: ['packages/*/test/**/*.ts', 'packages/guard-spec/src/**/*.ts', 'examples/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // guard-core stays framework-free (CONTRACT.md): no express, koa or multer, not even their types.
    files: ['packages/core/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(express|koa|multer|@koa/.*|@types/(express|koa|multer).*)$',
              message: 'guard-core must not depend on a web framework.',
            },
          ],
        },
      ],
    },
  },
  {
    // Adapters reach core only through its package name.
    files: ['packages/express-guard/src/**/*.ts', 'packages/koa-guard/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/core/src/**'],
              message: "Import from '@guard-suite/core' only.",
            },
          ],
        },
      ],
    },
  },
  {
    // Type tests compile against the built packages (their own tsconfig, run by pnpm run typecheck);
    // the root project that type-aware rules use sees the sources instead.
    files: ['packages/type-tests/**/*.ts'],
    ...tseslint.configs.disableTypeChecked,
  },
);
