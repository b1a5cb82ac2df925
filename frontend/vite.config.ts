import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Plugin } from "vite";
import { defineConfig } from "vitest/config";
// Svelte compiles components to small imperative DOM code (no virtual DOM
// runtime), which keeps idle memory and start-up close to a bare Wails window.
import { svelte } from "@sveltejs/vite-plugin-svelte";
// Adds the browser resolve condition and auto-cleanup for component tests.
import { svelteTesting } from "@testing-library/svelte/vite";

// Vite empties dist/ before each build. dist/.gitkeep is committed so that the
// Go `//go:embed all:frontend/dist` in main.go compiles on a fresh clone;
// this plugin puts it back after every build.
const keepDist: Plugin = {
  name: "pitchline-keep-dist",
  closeBundle() {
    writeFileSync(resolve(__dirname, "dist/.gitkeep"), "");
  },
};

export default defineConfig({
  plugins: [svelte(), svelteTesting(), keepDist],
  build: { outDir: "dist", target: "es2022" },
  test: {
    include: ["src/**/*.test.ts"],
    environment: "happy-dom",
    setupFiles: ["src/test/setup.ts"],
    // Generous: bounds waiting on events on a busy machine (src/test/setup.ts).
    testTimeout: 60_000,
  },
});
