// CRM offline end to end: the real `pitchline serve` on the demo line, the
// HubSpot fake in its own process (internal/cmd/crmfake), the token typed
// into the UI. The fake stops listening (SIGUSR1: connection refused) while
// three calls are logged: the header badge counts them and says the CRM is
// offline, the CRM panel says nothing is lost. The fake listens again
// (SIGUSR2): the queue drains with a progress bar whose count only grows,
// the badge goes away, and the fake holds each call exactly once.
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface, type Interface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { binary, launchBrowser, openApp, REPO, startServe, type Server } from "./harness";

const TOKEN = "e2e-offline-token-51c2";
const CALLS = 3;

let browser: Browser;
let server: Server;
let fake: ChildProcessWithoutNullStreams;
let fakeLines: Interface;
let fakeURL = "";
const queued: string[] = [];
const waiters: ((l: string) => void)[] = [];

/** nextLine resolves with crmfake's next stdout line. */
function nextLine(): Promise<string> {
  const l = queued.shift();
  if (l !== undefined) return Promise.resolve(l);
  return new Promise((r) => waiters.push(r));
}

/** signalFake sends sig to crmfake and waits for its acknowledgement. */
async function signalFake(sig: "SIGUSR1" | "SIGUSR2", ack: string) {
  fake.kill(sig);
  expect(await nextLine()).toBe(ack);
}

async function startFake(): Promise<string> {
  const bin = join(mkdtempSync(join(tmpdir(), "pitchline-crmfake-")), "crmfake");
  execFileSync("go", ["build", "-o", bin, "./internal/cmd/crmfake"], { cwd: REPO, stdio: "inherit" });
  fake = spawn(bin, ["-seed", "-token", TOKEN], { cwd: REPO });
  let stderr = "";
  fake.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  fake.once("exit", (code) => code && console.error(`crmfake exited with ${code}: ${stderr}`));
  fakeLines = createInterface({ input: fake.stdout });
  fakeLines.on("line", (l) => {
    const w = waiters.shift();
    if (w) w(l.trim());
    else queued.push(l.trim());
  });
  return nextLine();
}

/** apiOK waits for the next successful call of Service/Method. */
function apiOK(page: Page, path: string) {
  const p = page.waitForResponse((r) => r.url().includes(`/api/${path}`) && r.request().method() === "POST").then((r) => {
    expect(r.status(), `${path} status`).toBe(200);
    return r;
  });
  p.catch(() => {});
  return p;
}

interface Seen { where: "bar" | "badge"; kind: string; sent: number; total: number }

beforeAll(async () => {
  binary();
  fakeURL = await startFake();
  browser = await launchBrowser();
  server = await startServe(undefined, [], { keyring: true });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  fake?.stdin.end();
});

describe("CRM offline: the queue grows, then drains with progress", () => {
  it("counts calls logged while the CRM is unreachable and drains them once it is back", async () => {
    const page = await openApp(browser, server);
    await page.getByRole("button", { name: "Settings" }).click();
    const crm = page.locator(".crm-settings");
    await crm.locator('select[name="vendor"]').selectOption("hubspot");
    await crm.getByLabel("API base URL (optional)").fill(fakeURL);
    await crm.getByLabel("API token").fill(TOKEN);
    const connected = apiOK(page, "CrmService/Connect");
    await crm.getByRole("button", { name: "Connect CRM" }).click();
    await connected;
    await crm.locator('.crm-state[data-state="idle"]').waitFor({ timeout: 30_000 });
    expect(await page.locator(".sync-badge").count()).toBe(0);

    // Record every state of the progress bar and the header badge as the
    // DOM changes (no polling).
    await page.evaluate(() => {
      const w = window as unknown as { __seen: Seen[] };
      w.__seen = [];
      const read = () => {
        const bar = document.querySelector<HTMLElement>(".crm-progress");
        if (bar) w.__seen.push({ where: "bar", kind: "", sent: Number(bar.dataset.sent), total: Number(bar.dataset.total) });
        const b = document.querySelector<HTMLElement>(".sync-badge");
        if (b) w.__seen.push({ where: "badge", kind: b.dataset.kind ?? "", sent: Number(b.dataset.sent), total: Number(b.dataset.total) });
      };
      new MutationObserver(read).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    });

    await signalFake("SIGUSR1", "offline");
    await page.getByRole("button", { name: "Phone" }).click();
    const logged: string[] = [];
    for (let i = 1; i <= CALLS; i++) {
      await page.getByLabel("Number to call").fill("486"); // the demo line's busy number: a form, at once
      await page.getByLabel("Number to call").press("Enter");
      const form = page.locator(".outcome-form").first();
      await form.waitFor({ timeout: 20_000 });
      const id = (await form.getAttribute("data-call")) ?? "";
      expect(logged).not.toContain(id);
      await form.getByLabel("Outcome").selectOption({ label: "Busy" });
      await form.getByLabel("Notes").fill(`offline call ${i}`);
      const saved = apiOK(page, "FormsService/Save");
      await form.getByRole("button", { name: "Log call" }).click();
      await saved;
      await page.locator(`.outcome-form[data-call="${id}"]`).waitFor({ state: "detached" });
      logged.push(id);
      // The header badge counts the queue as it grows.
      await page.locator(`.sync-badge[data-pending="${i}"]`).waitFor({ timeout: 20_000 });
    }
    const badge = page.locator(`.sync-badge[data-kind="offline"][data-pending="${CALLS}"]`);
    await badge.waitFor({ timeout: 30_000 });
    expect((await badge.textContent())?.trim()).toBe(`CRM offline · ${CALLS} waiting`);
    expect((await fetch(`${fakeURL}/_fake/calls`).catch((e: Error) => e)) instanceof Error).toBe(true);

    // The badge opens the CRM panel: offline, not "reconnect", nothing lost.
    await badge.click();
    expect(await crm.locator(".crm-offline").textContent()).toMatch(new RegExp(`^Can't reach the CRM\\. ${CALLS} waiting to sync; nothing is lost\\.`));
    expect(await crm.locator(".crm-state").getAttribute("data-offline")).toBe("true");
    expect(await crm.getByText("Reconnect your CRM", { exact: false }).count()).toBe(0);
    expect(await crm.locator(".crm-pending").getAttribute("data-count")).toBe(String(CALLS));

    // Back online: the worker's next retry drains the queue.
    await signalFake("SIGUSR2", "online");
    await crm.locator(`.crm-synced[data-count="${CALLS}"]`).waitFor({ timeout: 90_000 });
    await page.locator(".sync-badge").waitFor({ state: "detached", timeout: 15_000 });
    await crm.locator('.crm-pending[data-count="0"]').waitFor();
    expect(await crm.locator(".crm-progress").count()).toBe(0);

    const seen = await page.evaluate(() => (window as unknown as { __seen: Seen[] }).__seen);
    const bar = seen.filter((s) => s.where === "bar");
    expect(bar.length, JSON.stringify(seen)).toBeGreaterThan(0);
    for (const s of bar) expect(s.total).toBe(CALLS);
    for (let i = 1; i < bar.length; i++) expect(bar[i].sent).toBeGreaterThanOrEqual(bar[i - 1].sent);
    const badges = seen.filter((s) => s.where === "badge");
    for (let i = 1; i < badges.length; i++) expect(badges[i].sent).toBeGreaterThanOrEqual(badges[i - 1].sent);
    expect(badges.some((s) => s.kind === "offline")).toBe(true);
    // Once an item synced, the CRM is known to answer: waiting for the
    // next item's retry is not shown as offline.
    const firstSent = seen.findIndex((s) => s.sent > 0);
    expect(firstSent).toBeGreaterThan(0);
    expect(seen.slice(firstSent).filter((s) => s.kind === "offline"), JSON.stringify(seen)).toEqual([]);

    // Each call exactly once at the CRM.
    const calls = (await (await fetch(`${fakeURL}/_fake/calls`)).json()) as { Properties: Record<string, string> }[];
    expect(calls.map((c) => c.Properties.hs_call_external_id).sort()).toEqual([...logged].sort());
    await page.context().close();
  }, 240_000);
});
