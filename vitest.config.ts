import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The sandboxes' own tests live beside them (sandboxes/<crm>/test/); the HubSpot card's beside it, where
    // its own node_modules (react, @hubspot/ui-extensions) resolve (docs/ARCHITECTURE.md, "The HubSpot card").
    include: ['test/**/*.test.ts', 'sandboxes/**/*.test.ts', 'hubspot-app/src/app/cards/test/**/*.test.tsx'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration tests start HTTP servers and child processes; two cores, so two workers.
    maxWorkers: 2,
    // One PostgreSQL server for the run (LIFECYCLE_SYNC_TEST_DATABASE_URL's, or an embedded one it starts);
    // each file asks test/postgres.ts for a database of its own.
    globalSetup: ['test/postgresServer.ts'],
  },
});
