// End-to-end: the served UI over the real Go backend and the demo line.
// Every wait is on visible state (Playwright auto-waiting locators or
// expect.poll), never a fixed sleep.
import { execFile } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { binary, launchBrowser, newDataDir, openApp, REPO, startServe, type Server } from "./harness";

let browser: Browser;
let server: Server;

beforeAll(async () => {
  binary(); // build once up front (hook timeout covers the Go build)
  browser = await launchBrowser();
  server = await startServe();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** demoNumber reads the demo number with the given behaviour from the demo banner. */
async function demoNumber(page: Page, behaviour: string): Promise<string> {
  const btn = page.locator(`.demo-numbers li[data-behaviour="${behaviour}"] .demo-number`).first();
  await btn.waitFor();
  return (await btn.getAttribute("data-number")) ?? "";
}

async function duration(page: Page): Promise<number> {
  return Number((await page.locator(".incall .timer").getAttribute("data-duration")) ?? "0");
}

/** apiOK waits for the next successful call of Service/Method. */
function apiOK(page: Page, path: string) {
  const p = page.waitForResponse((r) => r.url().includes(`/api/${path}`) && r.request().method() === "POST").then((r) => {
    expect(r.status(), `${path} status`).toBe(200);
    return r;
  });
  p.catch(() => {}); // awaited by the caller; no unhandled rejection when a test fails earlier
  return p;
}

async function hangUpAll(page: Page) {
  while ((await page.locator(".incall").count()) > 0) {
    const id = await page.locator(".incall").getAttribute("data-call");
    await page.getByRole("button", { name: "Hang up" }).click();
    await expect.poll(() => page.locator(`.incall[data-call="${id}"]`).count(), { timeout: 15_000 }).toBe(0);
  }
}

describe("pitchline serve + Chromium", () => {
  it("shows the demo line and its numbers", async () => {
    const page = await openApp(browser, server);
    await expect.poll(() => page.getByRole("status", { name: "Account status" }).textContent()).toContain("Demo line");
    expect(await demoNumber(page, "answer")).not.toBe("");
    await page.context().close();
  });

  it("dials from the dialpad: ringing, connected with a running timer; mute, hold, DTMF, hang-up", async () => {
    const page = await openApp(browser, server);
    const number = await demoNumber(page, "answer");
    const input = page.getByLabel("Number to call");
    for (const d of number) await page.getByRole("button", { name: `Key ${d}`, exact: true }).first().click();
    await expect.poll(() => input.inputValue()).not.toBe("");
    // Record every state label the in-call panel shows, as it renders.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { seenStates: string[] }).seenStates = seen;
      new MutationObserver(() => {
        const s = document.querySelector(".incall .call-state")?.textContent ?? "";
        if (s && seen[seen.length - 1] !== s) seen.push(s);
      }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
    });
    await page.getByRole("button", { name: `Call ${number}`, exact: true }).click();

    const panel = page.locator(".incall");
    await panel.waitFor();
    expect(await panel.getAttribute("data-number")).toContain(number);
    await expect.poll(() => panel.getAttribute("data-state"), { timeout: 20_000 }).toBe("connected");
    // Ringing was shown before the answer.
    const seen = await page.evaluate(() => (window as unknown as { seenStates: string[] }).seenStates);
    expect(seen).toContain("Ringing…");
    expect(seen.indexOf("Ringing…")).toBeLessThan(seen.indexOf("Connected"));
    await expect.poll(() => page.locator(".incall .call-state").textContent()).toBe("Connected");
    const t1 = await expect.poll(() => duration(page), { timeout: 10_000 }).toBeGreaterThan(0).then(() => duration(page));
    await expect.poll(() => duration(page), { timeout: 10_000 }).toBeGreaterThan(t1 + 1000);
    await expect.poll(() => page.locator(".incall .timer").textContent()).toMatch(/^0:0[1-9]|^0:[1-5]\d$/);

    // Mute
    const muted = apiOK(page, "CallsService/Mute");
    await page.getByRole("button", { name: "Mute", exact: true }).click();
    await muted;
    await page.getByText("Muted", { exact: true }).waitFor();
    await page.getByRole("button", { name: "Unmute" }).click();
    await page.getByText("Muted", { exact: true }).waitFor({ state: "hidden" });

    // Hold and resume: the state is shown.
    await page.getByRole("button", { name: "Hold", exact: true }).click();
    await expect.poll(() => page.locator(".incall .call-state").textContent(), { timeout: 10_000 }).toBe("On hold");
    await page.getByRole("button", { name: "Resume" }).click();
    await expect.poll(() => page.locator(".incall .call-state").textContent(), { timeout: 10_000 }).toBe("Connected");

    // DTMF from the pad: the backend accepts each digit.
    await page.getByRole("button", { name: "Keypad" }).click();
    const dtmf = apiOK(page, "CallsService/SendDTMF");
    await page.locator(".incall .dtmf").getByRole("button", { name: "Key 5" }).click();
    await dtmf;
    const dtmf2 = apiOK(page, "CallsService/SendDTMF");
    await page.locator(".incall .dtmf").getByRole("button", { name: "Key #" }).click();
    await dtmf2;
    await page.getByText("Sent: 5#").waitFor();

    // Notes typed during the call, then hang up straight away: the notes are
    // kept with the call and show in the history.
    await page.getByLabel("Call notes").fill("e2e: asked for pricing");
    await page.getByRole("button", { name: "Hang up" }).click();
    await panel.waitFor({ state: "detached", timeout: 15_000 });
    // The call lands in recent calls.
    await page.locator(".recent .history-list li").first().waitFor({ timeout: 15_000 });
    await page.getByRole("button", { name: "History" }).click();
    await page.locator(".history .h-notes", { hasText: "e2e: asked for pricing" }).first().waitFor({ timeout: 10_000 });
    await page.context().close();
  });

  it("an incoming call (demo callback) shows caller ID and is answered", async () => {
    const page = await openApp(browser, server);
    const number = await demoNumber(page, "callback");
    await page.getByRole("button", { name: `Call demo number ${number}` }).click();
    const pop = page.getByRole("alertdialog");
    await pop.waitFor({ timeout: 45_000 });
    const who = (await pop.locator(".caller-name").textContent())?.trim() ?? "";
    expect(who).not.toBe("");
    await pop.getByRole("button", { name: "Answer" }).click();
    await pop.waitFor({ state: "detached", timeout: 15_000 });
    const panel = page.locator(`.incall[data-state="connected"]`);
    await panel.waitFor({ timeout: 15_000 });
    expect((await panel.locator(".caller-name").textContent())?.trim()).toBe(who);
    await hangUpAll(page);
    await page.context().close();
  });

  it("contact search down to calling a contact's second number", async () => {
    const page = await openApp(browser, server);
    await page.getByRole("searchbox", { name: "Search contacts" }).fill("Mar");
    const withTwo = page.locator(".hit").filter({ has: page.locator(".phone-btn").nth(1) }).first();
    await withTwo.waitFor({ timeout: 10_000 });
    expect(await page.locator(".hit mark").count()).toBeGreaterThan(0);
    const second = withTwo.locator(".phone-btn").nth(1);
    const target = (await second.getAttribute("data-number")) ?? "";
    const dial = apiOK(page, "CallsService/Dial");
    await second.click();
    const res = await dial;
    expect(JSON.parse(res.request().postData() ?? "[]")).toEqual([target]);
    const panel = page.locator(".incall");
    await panel.waitFor();
    const digits = (s: string) => s.replace(/\D/g, "");
    expect(digits((await panel.getAttribute("data-number")) ?? "")).toContain(digits(target).slice(-8));
    await hangUpAll(page);
    await page.context().close();
  });

  it("a call script written in Settings is filled in during a call", async () => {
    const page = await openApp(browser, server);
    await page.getByRole("button", { name: "Settings" }).click();
    await page.getByRole("button", { name: "Add script" }).click();
    const edit = page.locator(".script-edit").last();
    await edit.getByLabel("Script name").fill("Discovery");
    await edit.getByLabel("Section text").fill("Hi {{contact.first_name}} at {{company.name}}, about {{deal.name|your plans}}.");
    await edit.getByLabel("Default script (calls without a list's script)").check();
    const saved = apiOK(page, "ScriptsService/Save");
    await edit.getByRole("button", { name: "Save script" }).click();
    await saved;
    await page.getByRole("button", { name: "Phone" }).click();
    await page.getByRole("searchbox", { name: "Search contacts" }).fill("Thompson");
    const hit = page.locator(".hit").first();
    await hit.waitFor();
    const first = ((await hit.locator(".hit-name").textContent()) ?? "").trim().split(/\s+/)[0];
    await hit.locator(".phone-btn").first().click();
    const body = page.locator(".incall .script-body");
    await body.waitFor();
    await expect.poll(() => body.locator('[data-var="contact.first_name"]').textContent()).toBe(first);
    const text = (await body.textContent()) ?? "";
    expect(text).not.toContain("undefined");
    expect(text).not.toContain("{{");
    await hangUpAll(page);
    await page.context().close();
  });

  it("a second call holds the first; the call list switches between them; keyboard shortcuts", async () => {
    const page = await openApp(browser, server);
    const number = await demoNumber(page, "answer");
    await page.getByRole("button", { name: `Call demo number ${number}` }).click();
    await page.locator('.incall[data-state="connected"]').waitFor({ timeout: 20_000 });
    const firstId = await page.locator(".incall").getAttribute("data-call");

    // Alt+D focuses the dialpad; typing and Enter place a second call.
    await page.keyboard.press("Alt+KeyD");
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute("aria-label"))).toBe("Number to call");
    await page.keyboard.type(number);
    await page.keyboard.press("Enter");
    const list = page.getByRole("navigation", { name: "Active calls" });
    await list.waitFor({ timeout: 15_000 });
    await expect.poll(() => list.locator("li").count()).toBe(2);
    await expect.poll(() => page.locator(`.call-list li[data-call="${firstId}"] .cl-state`).textContent(), { timeout: 15_000 }).toBe("On hold");
    await expect.poll(() => page.locator(".incall").getAttribute("data-state"), { timeout: 20_000 }).toBe("connected");
    const secondId = await page.locator(".incall").getAttribute("data-call");
    expect(secondId).not.toBe(firstId);

    // Switch back to the first call: it is resumed, the second is held.
    await page.locator(`.call-list li[data-call="${firstId}"] button`).click();
    await expect.poll(() => page.locator(".incall").getAttribute("data-call")).toBe(firstId);
    await expect.poll(() => page.locator(`.call-list li[data-call="${secondId}"] .cl-state`).textContent(), { timeout: 15_000 }).toBe("On hold");
    await expect.poll(() => page.locator(".incall .call-state").textContent(), { timeout: 15_000 }).toBe("Connected");

    // Alt+M mutes, Alt+H holds the focused call.
    await page.locator("body").click({ position: { x: 5, y: 700 } });
    await page.keyboard.press("Alt+KeyM");
    await page.getByText("Muted", { exact: true }).waitFor();
    await page.keyboard.press("Alt+KeyH");
    await expect.poll(() => page.locator(".incall .call-state").textContent(), { timeout: 15_000 }).toBe("On hold");
    // "?" opens the shortcut help.
    await page.keyboard.press("?");
    await page.getByRole("dialog", { name: "Keyboard shortcuts" }).waitFor();
    await page.keyboard.press("Escape");
    await page.getByRole("dialog").waitFor({ state: "detached" });
    await hangUpAll(page);
    await page.context().close();
  });

  it("history filters by direction and calls back on click", async () => {
    const page = await openApp(browser, server);
    await page.getByRole("button", { name: "History" }).click();
    const rows = page.locator(".history .history-list li");
    await rows.first().waitFor({ timeout: 10_000 });
    await page.getByLabel("Outgoing").check();
    await expect.poll(async () => (await rows.evaluateAll((els) => els.map((e) => e.className))).every((c) => c.includes("h-outgoing"))).toBe(true);
    await page.getByLabel("Incoming").check();
    await expect.poll(async () => (await rows.evaluateAll((els) => els.map((e) => e.className))).every((c) => c.includes("h-incoming"))).toBe(true);
    await expect.poll(() => rows.count()).toBeGreaterThan(0); // the demo callback earlier
    await page.getByLabel("Outgoing").check();
    const dial = apiOK(page, "HistoryService/CallBack");
    await rows.first().getByRole("button", { name: /^Call back / }).click(); // the row itself opens the detail (history.e2e.ts)
    await dial;
    await page.locator(".incall").waitFor();
    await hangUpAll(page);
    await page.context().close();
  });

  it("do-not-disturb is kept by the backend", async () => {
    const page = await openApp(browser, server);
    const dnd = page.getByLabel("Do not disturb");
    const set = apiOK(page, "AccountsService/SetDND");
    await dnd.check();
    await set;
    await page.reload();
    await page.locator("main.content").waitFor();
    await expect.poll(() => page.getByLabel("Do not disturb").isChecked()).toBe(true);
    const unset = apiOK(page, "AccountsService/SetDND");
    await page.getByLabel("Do not disturb").uncheck();
    await unset;
    await expect.poll(() => page.getByLabel("Do not disturb").isChecked()).toBe(false);
    await page.context().close();
  });

  it("switches to Japanese", async () => {
    const page = await openApp(browser, server);
    await page.getByRole("button", { name: "Settings" }).click();
    const saved = apiOK(page, "SettingsService/Save");
    await page.getByLabel("Language", { exact: true }).selectOption("ja");
    await saved;
    await page.getByRole("button", { name: "電話" }).waitFor();
    expect(await page.locator("html").getAttribute("lang")).toBe("ja");
    // Back to English for the other tests (settings are shared by the backend).
    await page.getByLabel("言語").selectOption("en");
    await page.getByRole("button", { name: "Phone" }).waitFor();
    await page.context().close();
  });

  it("a tel: URL launched as a second process dials in the running instance", async () => {
    const page = await openApp(browser, server);
    const number = await demoNumber(page, "answer");
    await new Promise<void>((res, rej) =>
      execFile(binary(), ["serve", "--data-dir", server.dataDir, "--audio", "null", `tel:${number}`], { cwd: REPO, timeout: 30_000 }, (err, _o, stderr) =>
        err ? rej(new Error(`second launch failed: ${err.message}\n${stderr}`)) : res(),
      ),
    );
    const panel = page.locator(".incall");
    await panel.waitFor({ timeout: 15_000 });
    expect(await panel.getAttribute("data-number")).toContain(number);
    await hangUpAll(page);
    await page.context().close();
  });
});

describe("settings persist across a restart of serve", () => {
  it("keeps the default country and ringtone", async () => {
    const dir = newDataDir();
    let s = await startServe(dir);
    try {
      let page = await openApp(browser, s);
      await page.getByRole("button", { name: "Settings" }).click();
      await page.getByLabel("Default country for phone numbers").selectOption("DE");
      await page.getByLabel("Ringtone", { exact: true }).selectOption("digital");
      const saved = apiOK(page, "SettingsService/Save");
      await page.locator(".settings-section form").first().getByRole("button", { name: "Save" }).click();
      await saved;
      await page.getByText("Settings saved").first().waitFor();
      await page.context().close();
      await s.stop();

      s = await startServe(dir);
      page = await openApp(browser, s);
      await page.getByRole("button", { name: "Settings" }).click();
      await expect.poll(() => page.getByLabel("Default country for phone numbers").inputValue()).toBe("DE");
      expect(await page.getByLabel("Ringtone", { exact: true }).inputValue()).toBe("digital");
      await page.context().close();
    } finally {
      await s.stop();
    }
  });
});
