import { defineConfig } from 'vitest/config';

// kafkajs 2.2.4 arms a timer with a negative delay until the broker first throttles it; Node 24
// warns about each one. It is noise, not a fault, so the test workers drop that one warning.
const execArgv = ['--disable-warning=TimeoutNegativeWarning'];

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts'],
          environment: 'node',
          execArgv,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['tests/harness/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 600_000,
          execArgv,
        },
      },
    ],
  },
});
