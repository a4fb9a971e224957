// ESLint states the layering (docs/ARCHITECTURE.md, "Layers"): which folder may import which. Patterns match the
// import text, so a path that climbs any number of folders (`../../../vscode`) is caught as well as a bare one.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** A relative or bare import that has a path segment `name` (a folder or the module itself). */
const segment = (name, message) => ({ regex: `(^|/)${name}(/|$)`, message });
/** A relative import into a folder `name/` (a file called `name.ts` elsewhere is fine). */
const folder = (name, message) => ({ regex: `(^|/)${name}/`, message });

const NO_VSCODE = segment('vscode', 'only src/vscode may import vscode or src/vscode');
const NO_CLI = segment('cli', 'src/cli is a front end: nothing below it may import it');
const NO_SANDBOX = folder('sandbox', 'src/sandbox is a tool of its own: the engine must not depend on it');
const NO_WEBVIEW = segment('webview', 'the webview is a separate bundle: talk to it through src/protocol messages');

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'out/',
      'node_modules/',
      '.cache/',
      'test-results/',
      'test/e2e/kubernetes-tools-standin/',
      '**/*.js',
      '**/*.mjs',
      '**/*.cjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      'no-control-regex': 'off', // parsers match control characters on purpose
    },
  },
  {
    // Prettier wraps code at 120 but cannot break strings, regexes or comments; this keeps every line readable.
    files: ['src/**/*.ts', 'webview/**/*.ts'],
    rules: { 'max-len': ['error', { code: 140, ignoreUrls: false }] },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [NO_VSCODE, NO_CLI, NO_SANDBOX, NO_WEBVIEW] }],
    },
  },
  {
    files: ['src/protocol/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            NO_VSCODE,
            NO_CLI,
            NO_SANDBOX,
            NO_WEBVIEW,
            { ...folder('core', 'src/protocol may import src/core for types only'), allowTypeImports: true },
          ],
        },
      ],
    },
  },
  {
    files: ['src/cli/**/*.ts', 'src/sandbox/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [NO_VSCODE, NO_WEBVIEW] }] },
  },
  {
    files: ['src/vscode/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: [NO_WEBVIEW, NO_CLI] }] },
  },
  {
    files: ['webview/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: 'the webview runs in a browser frame: no vscode module there' }],
          patterns: [
            {
              regex: '^\\.\\./(?!src/protocol/)',
              message: 'the webview may import only src/protocol from outside webview/',
            },
          ],
        },
      ],
    },
  },
);
