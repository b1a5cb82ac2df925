// End-to-end harness: the real Go backend in browser mode (`pitchline serve`)
// with the demo line, driven by Debian's /usr/bin/chromium through
// playwright-core (no browser download).
import { spawn, execFileSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
// playwright-core drives an existing Chromium over CDP; it downloads nothing.
import { chromium, type Browser, type Locator, type Page } from "playwright-core";
import { expect } from "vitest";

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
export function startServe(dataDir: string = newDataDir(), extra: string[] = [], opts: { keyring?: boolean } = {}): Promise<Server> {
  const bin = binary();
  const args = ["serve", "--listen", "127.0.0.1:0", "--data-dir", dataDir, "--audio", "null", ...extra];
  const env: NodeJS.ProcessEnv = { ...process.env, PITCHLINE_LOG_LEVEL: process.env.PITCHLINE_LOG_LEVEL || "info" };
  let cmd = bin;
  let argv = args;
  if (opts.keyring) {
    // A private D-Bus session with an unlocked gnome-keyring (Secret Service),
    // so saving an account really stores its password in a keychain. Its
    // stdout goes to /dev/null: the first stdout line must stay the URL.
    const home = mkdtempSync(join(tmpdir(), "pitchline-e2e-home-"));
    const run = join(home, "run");
    mkdirSync(run, { mode: 0o700 });
    Object.assign(env, { HOME: home, XDG_RUNTIME_DIR: run, XDG_DATA_HOME: join(home, "data") });
    cmd = "dbus-run-session";
    argv = ["--", "sh", "-c", 'printf %s "$0" | gnome-keyring-daemon --unlock --components=secrets --daemonize >/dev/null && exec "$@"', "e2e-keyring-pw", bin, ...args];
  }
  // Own process group, so stop() reaches every process of this backend
  // (dbus-run-session does not forward signals to its child).
  const proc = spawn(cmd, argv, { cwd: REPO, env, detached: true });
  let stderr = "";
  proc.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((r) => proc.once("exit", () => r()));
  const group = (sig: NodeJS.Signals | 0): boolean => {
    try {
      process.kill(-proc.pid!, sig);
      return true;
    } catch {
      return false; // ESRCH: nothing left in the group
    }
  };
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) group("SIGTERM");
    const t = setTimeout(() => group("SIGKILL"), 10_000);
    await exited;
    // Wait until the whole group is gone (the Go process may still be
    // shutting down after a wrapper exited).
    for (let i = 0; i < 200 && group(0); i++) await new Promise((r) => setTimeout(r, 50));
    clearTimeout(t);
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

/**
 * openAt opens the served UI at the smallest supported window, 1024x700,
 * with the browser in locale, and switches the app to locale in Settings as
 * a rep would (the Save is asked to answer 200). The page is left on the
 * Settings view.
 */
export async function openAt(browser: Browser, server: Server, locale: "en" | "ja"): Promise<Page> {
  const ctx = await browser.newContext({ locale: locale === "ja" ? "ja-JP" : "en-US", viewport: { width: 1024, height: 700 } });
  const page = await ctx.newPage();
  page.on("pageerror", (e) => console.error("[pageerror]", e.message));
  await page.goto(server.url);
  await page.locator("main.content").waitFor({ state: "visible", timeout: 15_000 });
  await page.locator('nav .tab[data-view="settings"]').click();
  const lang = page.locator("#set-language");
  if ((await lang.inputValue()) !== locale) {
    const saved = page.waitForResponse((r) => r.url().includes("/api/SettingsService/Save"));
    await lang.selectOption(locale);
    expect((await saved).status()).toBe(200);
  }
  await expect.poll(() => page.locator("html").getAttribute("lang")).toBe(locale);
  return page;
}

/** callAPI calls service.method on the served backend as the window does and returns its JSON answer (status 200 asked). */
export async function callAPI<T>(page: Page, server: Server, service: string, method: string, args: unknown[] = []): Promise<T> {
  const token = new URL(server.url).searchParams.get("token") ?? "";
  const res = await page.request.post(new URL(`/api/${service}/${method}`, server.url).toString(), {
    headers: { "X-Pitchline-Token": token, "Content-Type": "application/json" },
    data: JSON.stringify(args),
  });
  expect(res.status(), `${service}.${method}: ${await res.text()}`).toBe(200);
  return (await res.json()) as T;
}

/** noSideScroll: nothing in the window is wider than the 1024 px window. */
export async function noSideScroll(page: Page, what: string): Promise<void> {
  const w = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(w, `${what}: page ${w}px wide`).toBeLessThanOrEqual(1024);
}

/** screenshotDir returns the directory for a file's screenshots: $env when set, otherwise a new temporary one (pitchline-prefix-…); it exists, and is printed as what's screenshots. */
export function screenshotDir(env: string, prefix: string, what: string): string {
  const dir = process.env[env] ? resolve(process.env[env]!) : mkdtempSync(join(tmpdir(), `pitchline-${prefix}-`));
  mkdirSync(dir, { recursive: true });
  console.log(`${what} screenshots: ${dir}`);
  return dir;
}

/** Box is an element's bounding box in CSS pixels. */
export type Box = { x: number; y: number; width: number; height: number };

/** box returns l's bounding box; l must be visible. */
export async function box(l: Locator): Promise<Box> {
  const b = await l.boundingBox();
  if (!b) throw new Error("element not visible");
  return b;
}

/** inside: l lies within outer horizontally (no overflow at 1024 px) and, with vertical, vertically too. */
export async function inside(outer: Locator, l: Locator, what: string, opts: { vertical?: boolean } = {}): Promise<void> {
  const p = await box(outer);
  const b = await box(l);
  expect(b.x, `${what}: left edge`).toBeGreaterThanOrEqual(p.x - 0.5);
  expect(b.x + b.width, `${what}: right edge`).toBeLessThanOrEqual(p.x + p.width + 0.5);
  if (!opts.vertical) return;
  expect(b.y, `${what}: top edge`).toBeGreaterThanOrEqual(p.y - 0.5);
  expect(b.y + b.height, `${what}: bottom edge`).toBeLessThanOrEqual(p.y + p.height + 0.5);
}

/** noClip: l's text is not cut off horizontally and, with vertical, vertically either. */
export async function noClip(l: Locator, what: string, opts: { vertical?: boolean } = {}): Promise<void> {
  const [sw, cw, sh, ch] = await l.evaluate((el) => [el.scrollWidth, el.clientWidth, el.scrollHeight, el.clientHeight]);
  expect(sw, `${what}: text cut off`).toBeLessThanOrEqual(cw + 1);
  if (opts.vertical) expect(sh, `${what}: text cut off`).toBeLessThanOrEqual(ch + 1);
}

/** createJoinLink presses Alt+L in a call panel, checks the backend made the link (200) and returns the link field once shown, and its URL. */
export async function createJoinLink(page: Page, panel: Locator): Promise<{ field: Locator; url: string }> {
  const made = page.waitForResponse((r) => r.url().includes("/api/ConferenceService/CreateJoinLink"));
  await page.keyboard.press("Alt+KeyL");
  expect((await made).status()).toBe(200);
  const field = panel.locator(".jlink input");
  await field.waitFor({ timeout: 10_000 });
  return { field, url: await field.inputValue() };
}

/** dismissForms saves every open post-call outcome form with its first outcome, waiting until each is gone. */
export async function dismissForms(page: Page): Promise<void> {
  while ((await page.locator(".outcome-form").count()) > 0) {
    const id = await page.locator(".outcome-form").first().getAttribute("data-call");
    await page.locator(".outcome-form").first().locator("select[name=outcome]").selectOption({ index: 1 });
    await page.locator(".outcome-form").first().locator("button[type=submit]").click();
    await expect.poll(() => page.locator(`.outcome-form[data-call="${id}"]`).count(), { timeout: 15_000 }).toBe(0);
  }
}
