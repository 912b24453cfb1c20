import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['dist', 'node_modules', 'test-results', 'playwright-report'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['src/**/*.{ts,tsx}'],
    languageOptions: { globals: globals.browser },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  {
    // The RTC core and the protocol never import React or MUI (STYLE.md layering).
    files: ['src/rtc/**/*.ts', 'src/protocol/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['react', 'react-dom', '@mui/*', '@emotion/*', '../features/*', '../app/*'] },
      ],
    },
  },
  {
    // Feature folders do not import each other or the app; what several features share lives in
    // src/ui (STYLE.md: bulletproof-react). The app composes features.
    files: ['src/features/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^\\.\\./(?!\\.\\./)',
              message: 'features do not import each other: move shared code to src/ui',
            },
            { regex: '(^|/)app/', message: 'features do not import the app' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/ui/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '(^|/)(app|features)/', message: 'src/ui sits below features' }] },
      ],
    },
  },
  {
    files: ['e2e/**/*.{js,mjs,ts}', 'bench/**/*.mjs', '*.config.*'],
    languageOptions: { globals: globals.node },
  },
);
