// README screenshots from the real backend (`npm run screenshots`): the main
// view and the in-call view at the desktop window's size. Skipped unless
// PITCHLINE_SCREENSHOTS names the output directory.
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, it } from "vitest";
import type { Browser } from "playwright-core";
import { launchBrowser, startServe, type Server } from "./harness";

const out = process.env.PITCHLINE_SCREENSHOTS;

describe.runIf(!!out)("screenshots", () => {
  let browser: Browser;
  let server: Server;
  beforeAll(async () => {
    browser = await launchBrowser();
    server = await startServe();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("main and in-call views", async () => {
    const dir = resolve(out!);
    mkdirSync(dir, { recursive: true });
    const ctx = await browser.newContext({ viewport: { width: 1024, height: 720 }, locale: "en-US" });
    const page = await ctx.newPage();
    await page.goto(server.url);
    await page.locator("main.content").waitFor();
    await page.getByRole("button", { name: "Settings" }).click();
    await page.getByRole("button", { name: "Add script" }).click();
    const edit = page.locator(".script-edit").last();
    await edit.getByLabel("Script name").fill("Discovery call");
    await edit.getByLabel("Section text").fill(
      "Hi {{contact.first_name}}, this is {{rep.name}} from Pitchline. I'm calling about {{deal.name}} at {{company.name}} — do you have two minutes?",
    );
    await edit.getByRole("button", { name: "Save script" }).click();
    await page.getByText("Script saved").last().waitFor();
    await page.getByRole("button", { name: "Phone" }).click();
    await page.getByRole("searchbox", { name: "Search contacts" }).fill("Mar");
    const hit = page.locator(".hit").filter({ has: page.locator(".phone-btn").nth(1) }).first();
    await hit.waitFor();
    await page.screenshot({ path: join(dir, "main-view.png") });
    await hit.locator(".phone-btn").first().click();
    await page.locator('.incall[data-state="connected"]').waitFor({ timeout: 20_000 });
    await page.locator(".incall .timer").filter({ hasNotText: "0:00" }).waitFor({ timeout: 10_000 });
    await page.getByRole("searchbox", { name: "Search contacts" }).fill("");
    await page.getByLabel("Call notes").fill("Interested in the annual plan; send pricing.");
    await page.screenshot({ path: join(dir, "in-call-view.png") });
    await page.getByRole("button", { name: "Hang up" }).click();
    await page.locator(".incall").waitFor({ state: "detached" });
    await ctx.close();
  });
});
