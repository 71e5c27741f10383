import { defineConfig } from 'vitest/config';

// The package end-to-end test (npm run test:package): packs, installs and uses the tarball.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.ts'],
    testTimeout: 300_000,
    hookTimeout: 600_000,
    pool: 'forks',
  },
});
