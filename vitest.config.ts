import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.int.test.ts', '**/node_modules/**'],
          // A safety net for a hang, not a margin: vitest's 5 s default was one. On a loaded
          // 2-core machine the 200,000-URI index test took 12 s and CLI start-ups took 4.4 s.
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.int.test.ts'],
          // Each file starts its own weaviate-server; two cores hold two at a time comfortably.
          maxWorkers: 2,
          testTimeout: 120_000,
          hookTimeout: 600_000,
        },
      },
    ],
  },
});
