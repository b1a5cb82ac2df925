import { defineConfig } from "vitest/config";

// End-to-end tests: real `pitchline serve` + headless Debian Chromium.
// Run with `npm run test:e2e` after `npm run build` (the binary embeds dist/).
export default defineConfig({
  test: {
    include: ["e2e/**/*.e2e.ts"],
    environment: "node",
    testTimeout: 60_000,
    hookTimeout: 180_000,
    fileParallelism: false,
    pool: "forks",
  },
});
