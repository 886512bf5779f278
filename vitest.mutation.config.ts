import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.js';

// Mutation testing runs the suite once per mutant it covers: the tests that cover no gateway code
// in this process (a gateway in a child process, the CLI) only cost time there.
export default mergeConfig(
  base,
  defineConfig({
    test: {
      exclude: ['test/security/memory.test.ts', 'test/e2e/cli.test.ts', '**/node_modules/**'],
    },
  }),
);
