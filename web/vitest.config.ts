import { defineConfig } from 'vitest/config';

// Unit and component tests of the client and the apps (`npm test`); the browser test
// against the real platform is e2e/customer.mjs, run by platform/city's TestWebCustomer.
export default defineConfig({
  test: {
    environment: 'jsdom',
    include: ['packages/*/src/**/*.test.{ts,tsx}', 'apps/*/src/**/*.test.{ts,tsx}'],
  },
});
