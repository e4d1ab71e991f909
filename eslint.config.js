// Lint budgets follow ../shared/reference/style-models.md: small functions, few params, no floating promises.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * Layers of src/ (docs/ARCHITECTURE.md, "Layers"): each top-level folder and the folders it may
 * import. Nothing imports upward or sideways; an upper layer hands a lower one what it needs as an
 * interface (e.g. the API hands code-server its authenticator). Only the CLI (which decides what a
 * process runs) imports src/controlplane/, and src/apimachinery/ is the wire rules every side shares.
 */
const LAYERS = {
  apimachinery: [],
  tls: [],
  apis: ['apimachinery'],
  runtime: ['apimachinery'],
  controlplane: ['apimachinery', 'tls'],
  controllers: ['apimachinery', 'apis', 'runtime'],
  webhooks: ['apimachinery', 'apis', 'runtime', 'tls'],
  codeserver: ['apimachinery', 'apis', 'runtime'],
  api: ['apimachinery', 'apis', 'runtime', 'codeserver'],
  gateway: ['apimachinery', 'apis', 'runtime', 'api'],
  cli: ['apimachinery', 'apis', 'tls', 'runtime', 'controlplane', 'controllers', 'webhooks', 'codeserver', 'api', 'gateway'],
};

/** no-restricted-imports for the files of `folder`: every other top-level folder it may not import. */
function layerRule(folder) {
  const forbidden = Object.keys(LAYERS).filter((f) => f !== folder && !LAYERS[folder].includes(f));
  return ['error', {
    patterns: forbidden.map((f) => ({
      regex: `^(\\.\\./)+${f}(/|$)`,
      message: `src/${folder}/ may not import src/${f}/ (layers in eslint.config.js and docs/ARCHITECTURE.md): move the shared rule down, or have the upper layer hand it in.`,
    })),
  }];
}

/** Functions over this cyclomatic complexity fail lint; the files below are the recorded debt, held at their current level. */
const COMPLEXITY = 20;
const COMPLEXITY_DEBT = [
  'src/controlplane/cluster/garbage-collection/garbage-collector.ts',
  'src/controlplane/cluster/workloads/deployment-status.ts',
  'src/controlplane/cluster/workloads/replicaset.ts',
  'src/controlplane/verbs/evict.ts',
  'src/webhooks/session-quota.ts',
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'web/dist/**', '.data/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // node:test's describe/it return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': ['error', {
        allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] }],
      }],
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'max-depth': ['error', 4],
      'max-params': ['error', 5],
      'max-len': ['error', { code: 160, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreComments: true }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  ...Object.keys(LAYERS).map((folder) => ({
    // Unit tests beside the code may check a contract across parts (the Secret code-server writes, the init container reads).
    files: [`src/${folder}/**/*.ts`],
    ignores: ['src/**/*.test.ts'],
    rules: { 'no-restricted-imports': layerRule(folder) },
  })),
  {
    // Tests and benchmarks drive the platform from outside; only those of the control plane reach into it.
    files: ['test/**/*.ts', 'bench/**/*.ts', 'src/**/*.test.ts'],
    ignores: ['test/controlplane/**', 'test/support/**', 'bench/controlplane.ts', 'src/controlplane/**', 'src/cli/**'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ regex: '(^|/)src/controlplane/', message: 'only the control plane\'s own tests and benchmarks import src/controlplane/; start it through test/support/control-plane.ts.' }],
      }],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/**/*.test.ts'],
    rules: {
      complexity: ['error', COMPLEXITY],
      'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true }],
      'max-lines': ['error', { max: 450, skipBlankLines: true, skipComments: true }],
    },
  },
  {
    files: COMPLEXITY_DEBT,
    rules: { complexity: ['error', 30] },
  },
  {
    files: ['**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);
