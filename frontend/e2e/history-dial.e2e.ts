// End-to-end (issue 9 §3): the history row opens the call's detail and never
// dials; the dialpad maps letters (1-800-FLOWERS), shows the number it will
// dial, warns before calling a number that cannot be valid and empties when
// the call ends; long notes are kept; the favicon is served. Screenshots at
// 1024x700 go to PITCHLINE_E2E_SHOTS (default: the OS temp dir).
import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { binary, launchBrowser, startServe, type Server } from "./harness";

let browser: Browser;
let server: Server;
const shots = process.env.PITCHLINE_E2E_SHOTS || join(tmpdir(), "pitchline-e2e-shots");

beforeAll(async () => {
  binary();
  mkdirSync(shots, { recursive: true });
  browser = await launchBrowser();
  server = await startServe();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function open(): Promise<Page> {
  const ctx = await browser.newContext({ locale: "en-US", viewport: { width: 1024, height: 700 } });
  const page = await ctx.newPage();
  page.on("pageerror", (e) => console.error("[pageerror]", e.message));
  await page.goto(server.url);
  await page.locator("main.content").waitFor({ state: "visible", timeout: 15_000 });
  return page;
}

async function demoNumber(page: Page, behaviour: string): Promise<string> {
  const btn = page.locator(`.demo-numbers li[data-behaviour="${behaviour}"] .demo-number`).first();
  await btn.waitFor();
  return (await btn.getAttribute("data-number")) ?? "";
}

describe("history detail, dialing input, long notes", () => {
  it("serves a favicon in browser mode", async () => {
    const page = await open();
    const href = await page.locator('link[rel="icon"]').getAttribute("href");
    expect(href).toBeTruthy();
    const r = await page.request.get(new URL(href!, server.url).toString());
    expect(r.status()).toBe(200);
    expect(r.headers()["content-type"]).toContain("image/svg+xml");
    await page.context().close();
  });

  it("maps 1-800-FLOWERS, warns about an invalid number before the call", async () => {
    const page = await open();
    const dial = page.getByLabel("Number to call");
    await dial.focus();
    await page.evaluate(() => {
      const el = document.querySelector<HTMLInputElement>(".dial-input")!;
      const dt = new DataTransfer();
      dt.setData("text/plain", "1-800-FLOWERS");
      el.dispatchEvent(new ClipboardEvent("paste", { clipboardData: dt, bubbles: true, cancelable: true }));
    });
    await page.getByText("Dials +1 800 356 9377").waitFor();
    expect(await page.locator(".dial-warning").count()).toBe(0);
    await dial.fill("0012345678");
    const warning = page.locator(".dial-warning");
    await warning.waitFor();
    expect(await warning.textContent()).toContain("doesn't look like a valid number for");
    expect((await page.locator(".call-btn").textContent())?.trim()).toBe("Call anyway");
    await page.screenshot({ path: join(shots, "dial-warning-1024x700.png") });
    await page.context().close();
  });

  it("keeps a long note, empties the dial box after the call, and opens the call's detail from history", async () => {
    const page = await open();
    const number = await demoNumber(page, "answer");
    await page.getByLabel("Number to call").fill(number);
    await page.getByLabel("Number to call").press("Enter");
    const panel = page.locator('.incall[data-state="connected"]');
    await panel.waitFor({ timeout: 20_000 });
    const callId = (await panel.getAttribute("data-call")) ?? "";
    // A 70,000-character paste: the box keeps 65,536 and says so.
    await page.getByLabel("Call notes").focus();
    await page.evaluate(() => {
      const el = document.querySelector<HTMLTextAreaElement>(".incall textarea")!;
      const dt = new DataTransfer();
      dt.setData("text/plain", "e2e long note " + "x".repeat(70_000));
      el.dispatchEvent(new ClipboardEvent("paste", { clipboardData: dt, bubbles: true, cancelable: true }));
    });
    await page.getByText(/^Only the first 65,536 characters were pasted/).waitFor();
    expect(await page.getByLabel("Call notes").inputValue()).toHaveLength(65_536);
    await page.screenshot({ path: join(shots, "incall-notes-cut-1024x700.png") });
    await page.getByRole("button", { name: "Hang up" }).click();
    await page.locator(".incall").waitFor({ state: "detached", timeout: 15_000 });
    expect(await page.getByLabel("Number to call").inputValue()).toBe("");

    // The form opened with the note; log it with an outcome.
    const form = page.locator(`.outcome-form[data-call="${callId}"]`);
    await form.waitFor({ timeout: 15_000 });
    expect(await form.getByLabel("Notes").inputValue()).toHaveLength(65_536);
    await form.getByLabel("Outcome").selectOption({ label: "Connected" });
    await form.getByRole("button", { name: "Log call" }).click();
    await form.waitFor({ state: "detached", timeout: 15_000 });

    // History: the row opens the detail (no call), the button dials.
    await page.getByRole("button", { name: "History" }).click();
    const row = page.locator(`.history .history-list li[data-entry="${callId}"]`);
    await row.waitFor({ timeout: 10_000 });
    const calls = () => page.locator(".incall").count();
    await row.locator(".h-row").focus();
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog");
    await dialog.waitFor();
    await expect.poll(() => dialog.locator('[data-field="outcome"]').textContent()).toBe("Connected");
    expect((await dialog.locator('[data-field="notes"]').textContent())?.startsWith("e2e long note xxx")).toBe(true);
    expect(await calls()).toBe(0);
    await page.screenshot({ path: join(shots, "history-detail-1024x700.png") });
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    expect(await calls()).toBe(0);
    // Focus is back on the row.
    expect(await page.evaluate(() => document.activeElement?.classList.contains("h-row"))).toBe(true);
    await row.getByRole("button", { name: /^Call back / }).click();
    await page.locator(".incall").waitFor({ timeout: 20_000 });
    await page.getByRole("button", { name: "Hang up" }).click();
    await page.locator(".incall").waitFor({ state: "detached", timeout: 15_000 });
    await page.context().close();
  });

  it("warns in Japanese, and the history detail speaks Japanese", async () => {
    const page = await open();
    await page.getByRole("button", { name: "Settings" }).click();
    await page.getByLabel("Language", { exact: true }).selectOption("ja");
    await page.getByRole("button", { name: "電話" }).click();
    await page.getByLabel("発信先の番号").fill("0012345678");
    await page.locator(".dial-warning").filter({ hasText: "電話番号として正しくないようです" }).waitFor();
    expect((await page.locator(".call-btn").textContent())?.trim()).toBe("このまま発信");
    await page.screenshot({ path: join(shots, "dial-warning-ja-1024x700.png") });
    await page.getByRole("button", { name: "通話履歴" }).click();
    // The oldest row: the call logged with "Connected" by the previous test.
    await page.locator(".history .history-list li .h-row").last().click();
    const dialog = page.getByRole("dialog").filter({ hasText: "との通話" });
    await dialog.waitFor();
    await expect.poll(() => dialog.locator('[data-field="outcome"]').textContent()).toBe("Connected");
    expect(await dialog.locator("dt").allTextContents()).toContain("フォローアップタスク");
    await page.screenshot({ path: join(shots, "history-detail-ja-1024x700.png") });
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    await page.getByRole("button", { name: "設定" }).click();
    await page.getByLabel("言語").selectOption("en");
    await page.getByRole("button", { name: "Phone" }).waitFor();
    await page.context().close();
  });
});
