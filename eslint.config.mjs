// Lint: type-aware TypeScript rules everywhere, plus the layer rules that keep `workflows/` and
// `domain/` deterministic and free of I/O (see ARCHITECTURE.md, "Layers → folders").
import tseslint from 'typescript-eslint';

const NODE_BUILTINS = [
  'assert', 'buffer', 'child_process', 'cluster', 'crypto', 'dgram', 'dns', 'events', 'fs', 'fs/promises', 'http', 'http2',
  'https', 'net', 'os', 'path', 'perf_hooks', 'process', 'readline', 'stream', 'tls', 'url', 'util', 'v8', 'vm', 'worker_threads', 'zlib',
];
const IO_PACKAGES = ['ccxt', 'ccxt/*', 'ethers', 'ethers/*', 'pino', 'fastify', 'yaml', '@temporalio/client', '@temporalio/worker', '@temporalio/activity', '@temporalio/testing', '@temporalio/proto'];

const builtinPatterns = [{ group: ['node:*'], message: 'no Node builtins in a deterministic layer' }];
const nonDeterminism = [
  { object: 'Date', property: 'now', message: 'take `now` as a parameter (workflows: use workflow time via activities or workflowInfo)' },
  { object: 'Math', property: 'random', message: 'take an Rng as a parameter' },
  { object: 'process', property: 'env', message: 'configuration is parsed once at start-up and passed in' },
];
/** domain/ is pure: no Node builtins, no SDK/network/venue packages, nothing outside domain/. */
const domainImports = (outside) => [
  'error',
  {
    paths: NODE_BUILTINS.map((name) => ({ name, message: 'no Node builtins in domain/' })),
    patterns: [
      ...builtinPatterns,
      { group: [...IO_PACKAGES, '@temporalio/*'], message: 'domain/ is pure: no SDK, network or venue imports' },
      { group: outside, message: 'domain/ imports only domain/' },
    ],
  },
];
const noArgDate = { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'new Date() reads the wall clock; pass time in' };

export default tseslint.config(
  { ignores: ['node_modules/**', 'data/**', '.venv/**', '.tools/**', 'dist/**', 'coverage/**', 'test-artifacts/**', '**/*.cjs', '**/*.mjs', '**/*.js', '!api/dashboard/public/**/*.js'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: NODE_BUILTINS.map((name) => ({ name, message: 'no Node builtins in workflows/' })),
          patterns: [
            ...builtinPatterns,
            { group: IO_PACKAGES, message: 'workflows/ may import domain/ and @temporalio/workflow only' },
            { group: ['../venues/*', '../venues', '../sim/*', '../api/*', '../workers/*', '../config/*', '../temporal/*'], message: 'workflows/ may import domain/ only' },
            { group: ['../activities/*', '../activities'], allowTypeImports: true, message: 'import activities as types only' },
          ],
        },
      ],
      'no-restricted-properties': ['error', ...nonDeterminism],
      'no-restricted-syntax': ['error', noArgDate],
    },
  },
  {
    files: ['domain/**/*.ts'],
    rules: {
      'no-restricted-imports': domainImports(['../*', '!../domain']),
      'no-restricted-properties': ['error', ...nonDeterminism],
      'no-restricted-syntax': ['error', noArgDate],
    },
  },
  {
    // One folder down (domain/quoting/…): `../x` is still domain/, `../../x` is outside it.
    files: ['domain/*/**/*.ts'],
    rules: { 'no-restricted-imports': domainImports(['../../*', '!../../domain']) },
  },
  {
    // Adapters translate a venue's protocol; only the simulator's own client (venues/sim) may reach into sim/.
    files: ['venues/**/*.ts'],
    ignores: ['venues/sim/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['../sim/*', '../../sim/*', '../hotpath/*', '../../hotpath/*', '../workflows/*', '../../workflows/*', '../activities/*', '../../activities/*', '../api/*', '../workers/*'], message: 'venues/ may import domain/ (and venue client libraries) only' }] },
      ],
    },
  },
  {
    // The hot path runs live and in backtests alike: it sees a Clock, ManagedVenues and a ModeSource,
    // never the simulator, Temporal or a process entry point.
    files: ['hotpath/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['../sim/*', '../workers/*', '../workflows/*', '../activities/*', '../api/*', '../temporal/*'], message: 'hotpath/ may import domain/ and venues/ only' },
            { group: ['@temporalio/*', 'ccxt', 'ethers'], message: 'hotpath/ never waits on Temporal and reaches venues through the Venue port' },
          ],
        },
      ],
      'no-restricted-properties': ['error', { object: 'Date', property: 'now', message: 'read time from the Clock' }, { object: 'Math', property: 'random', message: 'take an Rng' }],
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // The dashboard page's own browser scripts (plain ES modules, no bundler): linted without type information.
    files: ['api/dashboard/public/**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      sourceType: 'module',
      globals: { window: 'readonly', document: 'readonly', EventSource: 'readonly', fetch: 'readonly', Node: 'readonly', setInterval: 'readonly', Date: 'readonly' },
    },
    rules: { ...tseslint.configs.disableTypeChecked.rules, 'no-undef': 'error', eqeqeq: 'error', 'no-console': 'error' },
  },
);
