// SIP account editor against the real backend, on its own server so that a
// saved account cannot take the demo line away from the other e2e tests.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { launchBrowser, openApp, startServe, type Server } from "./harness";

let browser: Browser;
let server: Server;

beforeAll(async () => {
  browser = await launchBrowser();
  server = await startServe(undefined, [], { keyring: true });
});
// A failed test prints what the backend logged, so a failure that could
// not be reproduced (a Save that never returned, once, under load) leaves
// its evidence in the CI output.
beforeEach(({ onTestFailed }) => {
  onTestFailed(() => console.error(`pitchline serve log (last 20000 chars):\n${server?.log().slice(-20_000)}`));
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("SIP account settings", () => {
  it("test registration reports the failure reason; the password never reaches browser storage", async () => {
    const page = await openApp(browser, server);
    await page.getByRole("button", { name: "Settings" }).click();
    await page.getByRole("button", { name: "Add account" }).click();
    const form = page.locator(".account-form");
    await form.getByLabel("SIP address (sip:user@host)").fill("sip:alice@127.0.0.1:9");
    await form.getByLabel("Transport").selectOption("tcp");
    await form.getByLabel("Password").fill("s3cret-pw");
    await form.getByRole("button", { name: "Test registration" }).click();
    const result = form.locator("[role=status]");
    await result.waitFor({ timeout: 45_000 });
    // One sentence naming what failed; the SIP detail behind "Details".
    expect(await result.locator(".error-text").textContent()).toBe("Registration failed: 127.0.0.1:9 refused the connection. Check the address and port.");
    await result.getByRole("button", { name: "Details" }).click();
    expect(await result.locator("pre").textContent()).toContain("connection refused");
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie);
    expect(stored).not.toContain("s3cret-pw");

    // Save: the password goes to the keychain through the service; the
    // account is listed with "password stored" and the form is closed.
    await form.getByLabel("Display name (your name in call scripts)").fill("Alice");
    await form.getByLabel("Outbound proxy (optional)").fill("sip:127.0.0.1:19");
    const save = page.waitForResponse((r) => r.url().includes("/api/AccountsService/Save"));
    await form.getByRole("button", { name: "Save" }).click();
    const res = await save;
    expect(res.status(), await res.text()).toBe(200);
    const row = page.locator(".accounts li").filter({ hasText: "Alice" });
    await row.waitFor();
    expect(await row.textContent()).toContain("TCP");
    await form.waitFor({ state: "detached" });

    // Edit: the password field is empty, with the "keep stored password" hint.
    await row.getByRole("button", { name: "Edit Alice" }).click();
    const pw = page.locator(".account-form").getByLabel("Password");
    expect(await pw.inputValue()).toBe("");
    expect(await pw.getAttribute("placeholder")).toBe("Leave empty to keep the stored password");
    expect(await page.locator(".account-form").getByLabel("Outbound proxy (optional)").inputValue()).toBe("sip:127.0.0.1:19");
    await page.locator(".account-form").getByRole("button", { name: "Cancel" }).click();

    // Remove.
    page.once("dialog", (d) => void d.accept());
    await row.getByRole("button", { name: "Remove Alice" }).click();
    await row.waitFor({ state: "detached" });
    const after = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie);
    expect(after).not.toContain("s3cret-pw");
    await page.context().close();
  });

  it("a failed account keeps the header short and the demo line; a call on it is refused with a clear message", async () => {
    const ctx = await browser.newContext({ locale: "en-US", viewport: { width: 1024, height: 700 } });
    const page = await ctx.newPage();
    await page.goto(server.url);
    await page.locator("main.content").waitFor();
    const header = page.locator("header").first();
    const before = (await header.boundingBox())!.height;
    await page.getByRole("button", { name: "Settings" }).click();
    await page.getByRole("button", { name: "Add account" }).click();
    const form = page.locator(".account-form");
    await form.getByLabel("SIP address (sip:user@host)").fill("sip:bob@127.0.0.1:9");
    await form.getByLabel("Transport").selectOption("tcp");
    await form.getByLabel("Password").fill("pw");
    await form.getByLabel("Display name (your name in call scripts)").fill("Bob at the office PBX with a long name");
    // Saving restarts every phone (unregister, then register again) and
    // writes the keychain over D-Bus: the bound only limits the wait on a
    // busy machine.
    const saved = page.waitForResponse((r) => r.url().includes("/api/AccountsService/Save"), { timeout: 90_000 });
    await form.getByRole("button", { name: "Save" }).click();
    const res = await saved;
    expect(res.status(), await res.text()).toBe(200);
    await form.waitFor({ state: "detached", timeout: 30_000 });
    const chip = page.locator('.account .chip[data-account="sip:bob@127.0.0.1:9"]');
    await expect.poll(() => chip.getAttribute("data-state"), { timeout: 30_000 }).toBe("failed");
    expect(await chip.getAttribute("title")).toBe("127.0.0.1:9 refused the connection. Check the address and port.");
    await page.screenshot({ path: `${process.env.PITCHLINE_LAYOUT_SHOTS || "/tmp"}/en-failed-account-header.png` });
    expect((await header.boundingBox())!.height, "header height with a failed account").toBeLessThanOrEqual(before + 1);
    // Nothing in the header is pushed out of the window.
    for (const el of await header.locator(".account > *, .help-btn").all()) {
      const bb = (await el.boundingBox())!;
      expect(bb.x + bb.width, `${await el.textContent()} fits in the window`).toBeLessThanOrEqual(1024);
    }
    // The demo line is still there, and its numbers.
    await page.locator('.account .chip[data-account="demo"]').waitFor();
    await page.getByRole("button", { name: "Phone" }).click();
    const demo = page.locator('.demo-numbers li[data-behaviour="answer"] .demo-number').first();
    await demo.waitFor();
    await page.screenshot({ path: `${process.env.PITCHLINE_LAYOUT_SHOTS || "/tmp"}/en-failed-account.png` });
    // The reason is one click away, with the detail behind "Details".
    await chip.getByRole("button", { name: /^Why: / }).click();
    const pop = page.getByRole("dialog");
    await pop.getByRole("button", { name: "Details" }).click();
    expect(await pop.locator("pre").textContent()).toContain("connection refused");
    await page.screenshot({ path: `${process.env.PITCHLINE_LAYOUT_SHOTS || "/tmp"}/en-failed-account-why.png` });
    await page.keyboard.press("Escape");
    // Calls go out from the failed account (the default): refused before any INVITE, with a sentence.
    await demo.click();
    const toast = page.locator(".toast .error-note[data-code=account_not_registered]");
    await toast.waitFor();
    expect(await toast.locator(".error-text").textContent()).toContain("not signed in");
    expect(await page.locator(".incall").count()).toBe(0);
    // From the demo line it works.
    await page.getByLabel("Calls from").selectOption("demo");
    await demo.click();
    await expect.poll(() => page.locator(".incall").getAttribute("data-state"), { timeout: 20_000 }).toBe("connected");
    await page.locator(".incall .hangup").click();
    await page.locator(".incall").waitFor({ state: "detached", timeout: 15_000 });
    page.once("dialog", (d) => void d.accept());
    await page.getByRole("button", { name: "Settings" }).click();
    await page.locator(".accounts li").filter({ hasText: "Bob" }).getByRole("button", { name: /^Remove / }).click();
    await page.locator(".accounts li").filter({ hasText: "Bob" }).waitFor({ state: "detached" });
    await ctx.close();
  }, 180_000);
});
