import { defineConfig } from "vitest/config";

// End-to-end tests: real `pitchline serve` + headless Debian Chromium.
// Run with `npm run test:e2e` after `npm run build` (the binary embeds dist/).
export default defineConfig({
  test: {
    include: ["e2e/**/*.e2e.ts"],
    // The README screenshot tool (`npm run screenshots`) is not a test: it
    // only runs when PITCHLINE_SCREENSHOTS names its output directory, so
    // the suite leaves it out instead of reporting it as skipped.
    exclude: process.env.PITCHLINE_SCREENSHOTS ? [] : ["e2e/screenshots.e2e.ts"],
    environment: "node",
    testTimeout: 60_000,
    hookTimeout: 180_000,
    fileParallelism: false,
    pool: "forks",
  },
});
