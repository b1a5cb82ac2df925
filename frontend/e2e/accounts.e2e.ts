// SIP account editor against the real backend, on its own server so that a
// saved account cannot take the demo line away from the other e2e tests.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { launchBrowser, openApp, startServe, type Server } from "./harness";

let browser: Browser;
let server: Server;

beforeAll(async () => {
  browser = await launchBrowser();
  server = await startServe(undefined, [], { keyring: true });
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
    const result = form.locator("p[role=status]");
    await result.waitFor({ timeout: 45_000 });
    expect(await result.textContent()).toMatch(/^Registration failed: .+/);
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
});
