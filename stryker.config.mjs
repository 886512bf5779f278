// @ts-check
// Mutation testing (`npm run mutation`; not part of `npm test`, it is slow). scripts/mutation.ts
// runs Stryker once per folder with `mutate` narrowed to that folder and prints the score of each.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
const config = {
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner'],
  vitest: { configFile: 'vitest.mutation.config.ts', related: true },
  coverageAnalysis: 'perTest',
  checkers: [],
  // Mutants in module-level constants (keyword tables, defaults) would rerun the whole suite each.
  ignoreStatic: true,
  concurrency: 2,
  timeoutMS: 10_000,
  timeoutFactor: 2,
  reporters: ['progress', 'clear-text', 'json', 'html'],
  clearTextReporter: { allowEmojis: false, logTests: false, reportMutants: false },
  thresholds: { high: 90, low: 80, break: null },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
export default config;
