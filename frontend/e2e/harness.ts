// End-to-end harness: the real Go backend in browser mode (`pitchline serve`)
// with the demo line, driven by Debian's /usr/bin/chromium through
// playwright-core (no browser download).
import { spawn, execFileSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
// playwright-core drives an existing Chromium over CDP; it downloads nothing.
import { chromium, type Browser, type Page } from "playwright-core";

/** REPO is the repository root (the Go module). */
export const REPO = resolve(__dirname, "../..");

/** CHROMIUM is the browser binary (PITCHLINE_E2E_CHROMIUM overrides). */
export const CHROMIUM = process.env.PITCHLINE_E2E_CHROMIUM || "/usr/bin/chromium";

let built = "";

/**
 * binary returns the pitchline binary under test: PITCHLINE_E2E_BIN when set,
 * otherwise `go build` of the repository (after `npm run build`, so the
 * embedded frontend is current) into a temporary directory, once per run.
 */
export function binary(): string {
  const env = process.env.PITCHLINE_E2E_BIN;
  if (env) return resolve(env);
  if (built) return built;
  const out = join(mkdtempSync(join(tmpdir(), "pitchline-e2e-bin-")), "pitchline-e2e");
  execFileSync("go", ["build", "-o", out, "."], { cwd: REPO, stdio: "inherit" });
  built = out;
  return out;
}

/** newDataDir makes an empty data directory for one backend. */
export function newDataDir(): string {
  return mkdtempSync(join(tmpdir(), "pitchline-e2e-data-"));
}

/** Server is one running `pitchline serve`. */
export interface Server {
  url: string;
  dataDir: string;
  proc: ChildProcessWithoutNullStreams;
  /** log is everything the process wrote to stderr (for failure messages). */
  log: () => string;
  stop: () => Promise<void>;
}

/**
 * startServe runs `pitchline serve --listen 127.0.0.1:0 --data-dir DIR --audio null`
 * and resolves with the URL printed as the first stdout line.
 */
export function startServe(dataDir: string = newDataDir(), extra: string[] = []): Promise<Server> {
  const bin = binary();
  const proc = spawn(bin, ["serve", "--listen", "127.0.0.1:0", "--data-dir", dataDir, "--audio", "null", ...extra], {
    cwd: REPO,
    env: { ...process.env, PITCHLINE_LOG_LEVEL: process.env.PITCHLINE_LOG_LEVEL || "info" },
  });
  let stderr = "";
  proc.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((r) => proc.once("exit", () => r()));
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill("SIGTERM");
      const t = setTimeout(() => proc.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(t);
    }
  };
  return new Promise((resolveUrl, reject) => {
    const rl = createInterface({ input: proc.stdout });
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`pitchline serve printed no URL within 30 s\n${stderr}`));
    }, 30_000);
    rl.once("line", (line) => {
      clearTimeout(timer);
      const url = line.trim();
      if (!/^http:\/\/127\.0\.0\.1:\d+\//.test(url)) {
        void stop();
        reject(new Error(`first stdout line is not a loopback URL: ${JSON.stringify(line)}\n${stderr}`));
        return;
      }
      resolveUrl({ url, dataDir, proc, log: () => stderr, stop });
    });
    proc.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`pitchline serve exited with ${code}\n${stderr}`));
    });
  });
}

/** launchBrowser starts headless Chromium from CHROMIUM. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found (apt-get install chromium)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
}

/** openApp opens a fresh page on the served UI, waiting until the snapshot has rendered. */
export async function openApp(browser: Browser, server: Server, locale = "en-US"): Promise<Page> {
  const ctx = await browser.newContext({ locale, viewport: { width: 1280, height: 860 } });
  await ctx.grantPermissions(["notifications"], { origin: new URL(server.url).origin }).catch(() => {});
  const page = await ctx.newPage();
  page.on("pageerror", (e) => console.error("[pageerror]", e.message));
  await page.goto(server.url);
  await page.locator("main.content").waitFor({ state: "visible", timeout: 15_000 });
  return page;
}
