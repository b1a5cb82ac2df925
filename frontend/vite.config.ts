import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { defineConfig, type Plugin } from "vite";

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
  plugins: [keepDist],
  build: { outDir: "dist", target: "es2022" },
  test: { include: ["src/**/*.test.ts"] },
});
