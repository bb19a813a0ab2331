import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The layers (README, Architecture): `services/common` imports no service; a service imports
 * `common` only, never a sibling; the launchers (`embedded`, `gateway`) and the tools may import
 * several services; the console's browser code imports only the shared API types. Imports are
 * relative, so a rule names the folders an import may not climb into.
 */
const SERVICES = ['ingest', 'projector', 'trace-api', 'recall', 'console'];
const LAUNCHERS = ['embedded', 'gateway'];
const climbsInto = (folders) => `^(\\.\\./)+(${folders.join('|')})/`;
const forbid = (folders, message) => ({ regex: climbsInto(folders), message });
const NOT_TOOLS_OR_TESTS = forbid(['tools', 'test'], 'services never import tools or tests.');

function layer(files, patterns) {
  return { files, rules: { 'no-restricted-imports': ['error', { patterns }] } };
}

const layers = [
  layer(
    ['services/common/**/*.ts'],
    [
      forbid(
        [...SERVICES, ...LAUNCHERS],
        'common imports no service: what two services share moves down into common.',
      ),
      NOT_TOOLS_OR_TESTS,
    ],
  ),
  ...SERVICES.map((service) =>
    layer(
      [`services/${service}/**/*.ts`],
      [
        forbid(
          [...SERVICES, ...LAUNCHERS].filter((name) => name !== service),
          'a service imports common only, never a sibling service or a launcher.',
        ),
        NOT_TOOLS_OR_TESTS,
      ],
    ),
  ),
  layer(
    LAUNCHERS.map((launcher) => `services/${launcher}/**/*.ts`),
    [NOT_TOOLS_OR_TESTS],
  ),
  layer(['tools/**/*.ts'], [forbid(['test'], 'tools never import tests.')]),
  {
    // The console runs in the browser: it knows the API only by its shared answer types.
    files: ['services/console/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^\\.\\./(?!\\.\\./common/api/)',
              message: 'the console imports only the shared API types (services/common/api).',
            },
            {
              regex: '^\\.\\./\\.\\./common/api/',
              allowTypeImports: true,
              message: 'the console imports only types from services/common/api: `import type`.',
            },
          ],
        },
      ],
    },
  },
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'coverage/**', '.cache/**'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true },
      ],
      '@typescript-eslint/only-throw-error': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      'max-lines': ['warn', { max: 300, skipBlankLines: true, skipComments: true }],
      complexity: ['warn', 20],
    },
  },
  {
    // Matchers such as expect.any() are typed `any` by design.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-unsafe-assignment': 'off' },
  },
  ...layers,
  {
    // Plain JavaScript outside the TypeScript project: this file and the `suyuan` bin's launcher.
    files: ['eslint.config.js', 'tools/verify/suyuan.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
