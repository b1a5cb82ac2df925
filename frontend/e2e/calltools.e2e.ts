// The conference panel's call tools against the real backend (`pitchline
// serve`, demo line) at 1024x700, in English and Japanese: invite a lead
// who whispers (the rep's banner says so) and switch them to barge; make a
// join link in the rep's language, open its page in a browser with a fake
// microphone and join the call over WebRTC, then revoke the link; consult a
// colleague (both calls shown), return with Alt+R, consult again and try
// Alt+T (the demo line refuses the REFER: one actionable sentence); a
// lead's own monitor call with its role switch and leave. Screenshots go
// to PITCHLINE_CALLTOOLS_SHOTS (default: a temporary directory, printed).
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser, type Locator, type Page } from "playwright-core";
import { binary, CHROMIUM, startServe, type Server, openAt, dismissForms, screenshotDir, inside, noClip, createJoinLink } from "./harness";

let browser: Browser;
let server: Server;
const shots = screenshotDir("PITCHLINE_CALLTOOLS_SHOTS", "calltools", "call tools");

beforeAll(async () => {
  binary();
  // The join page needs a microphone (a fake one) and a peer connection
  // on loopback, where the join link server listens.
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--use-fake-ui-for-media-stream",
      "--use-fake-device-for-media-stream", "--allow-loopback-in-peer-connection", "--autoplay-policy=no-user-gesture-required"],
  });
  server = await startServe();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function open(locale: "en" | "ja"): Promise<Page> {
  const page = await openAt(browser, server, locale);
  await page.locator('nav .tab[data-view="phone"]').click();
  return page;
}

function states(panel: Locator): Promise<(string | null)[]> {
  return panel.locator(".part").evaluateAll((els) => els.map((e) => e.getAttribute("data-state")));
}

async function callDemo(page: Page, panel: Locator) {
  await page.locator('.demo-numbers li[data-behaviour="answer"] .demo-number').first().click();
  await expect.poll(() => panel.getAttribute("data-state"), { timeout: 20_000 }).toBe("connected");
}

const JOIN_TITLE = { en: "Join the call", ja: "通話に参加" };

for (const locale of ["en", "ja"] as const) {
  describe(`team leads in the settings at 1024x700 (${locale})`, () => {
    it("refuses a bad address in one sentence, keeps what was typed, and saves a good list", async () => {
      const page = await open(locale);
      await page.locator('nav .tab[data-view="settings"]').click();
      const box = page.locator("#set-leads");
      await box.scrollIntoViewIfNeeded();
      await box.fill("sip:lead@127.0.0.1\nnot an address");
      const refused = page.waitForResponse((r) => r.url().includes("/api/ConferenceService/SetLeads"));
      await page.locator('section[aria-labelledby="leads-title"] button[type=submit]').click();
      expect((await refused).status()).not.toBe(200);
      await page.locator(".toast").last().waitFor({ timeout: 10_000 });
      expect(await box.inputValue()).toBe("sip:lead@127.0.0.1\nnot an address");
      await page.screenshot({ path: join(shots, `${locale}-0-leads-refused.png`) });
      await box.fill("sip:lead@127.0.0.1");
      const saved = page.waitForResponse((r) => r.url().includes("/api/ConferenceService/SetLeads"));
      await page.locator('section[aria-labelledby="leads-title"] button[type=submit]').click();
      expect((await saved).status()).toBe(200);
      await page.locator('section[aria-labelledby="leads-title"] .ok').waitFor({ timeout: 10_000 });
      await page.screenshot({ path: join(shots, `${locale}-0-leads-saved.png`) });
      await page.context().close();
    });
  });
}

for (const locale of ["en", "ja"] as const) {
  describe(`call tools at 1024x700 (${locale})`, () => {
    it("lead roles and banner, join link with a browser, attended transfer, a lead's monitor call", async () => {
      const page = await open(locale);
      const panel = page.locator(".incall");
      await callDemo(page, panel);
      const customer = await panel.getAttribute("data-call");

      // Invite a lead who whispers: the rep's banner names them and the role.
      await page.keyboard.press("Alt+KeyI");
      const input = panel.locator(".conf-add-form input");
      await expect.poll(() => input.evaluate((el) => el === document.activeElement)).toBe(true);
      await input.fill("101");
      await panel.locator(".conf-role select").selectOption("whisper");
      const invited = page.waitForResponse((r) => r.url().includes("/api/ConferenceService/Invite"));
      await panel.locator(".conf-add-go").click();
      expect((await invited).status()).toBe(200);
      await expect.poll(() => states(panel), { timeout: 20_000 }).toEqual(["connected", "connected"]);
      const banner = panel.locator(".lead-banner");
      await expect.poll(() => banner.getAttribute("data-role"), { timeout: 15_000 }).toBe("whisper");
      expect(await banner.textContent()).toContain("101");
      await inside(panel, banner, "banner");
      const lead = panel.locator(".part").nth(1);
      await inside(panel, lead.locator(".p-remove"), "lead's hang-up icon");
      await inside(panel, lead.locator(".p-role"), "lead's role menu");
      await noClip(lead.locator(".pstate"), "lead's state");
      await page.screenshot({ path: join(shots, `${locale}-1-lead-whispers.png`) });
      await lead.locator(".p-role").selectOption("barge");
      await expect.poll(() => banner.getAttribute("data-role"), { timeout: 15_000 }).toBe("barge");
      await page.screenshot({ path: join(shots, `${locale}-2-lead-barges.png`) });
      await lead.locator(".p-remove").click();
      await expect.poll(() => states(panel), { timeout: 15_000 }).toEqual([]); // a two-party call shows no list
      await expect.poll(() => banner.count()).toBe(0);

      // A join link in the rep's language: a browser opens it and joins.
      const { field: linkField, url } = await createJoinLink(page, panel);
      expect(url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:\\d+/join/[A-Za-z0-9_-]{43}\\?lang=${locale}$`));
      await inside(panel, linkField, "join link field");
      await inside(panel, panel.locator(".jlink .link-revoke"), "revoke button");
      await page.screenshot({ path: join(shots, `${locale}-3-join-link.png`) });

      const guestCtx = await browser.newContext({ locale: "en-US" });
      const guest = await guestCtx.newPage();
      await guest.goto(url);
      expect(await guest.locator("h1").textContent()).toBe(JOIN_TITLE[locale]);
      expect(await guest.locator("html").getAttribute("lang")).toBe(locale);
      await expect.poll(() => guest.evaluate(() => (window as unknown as { pitchlineJoin: { state: string } }).pitchlineJoin.state), { timeout: 30_000 }).toBe("connected");
      await expect.poll(() => states(panel), { timeout: 20_000 }).toEqual(["connected", "connected"]);
      await page.screenshot({ path: join(shots, `${locale}-4-browser-joined.png`) });
      await guest.screenshot({ path: join(shots, `${locale}-4-join-page.png`) });
      const revoked = page.waitForResponse((r) => r.url().includes("/api/ConferenceService/RevokeJoinLink"));
      await panel.locator(".jlink .link-revoke").click();
      expect((await revoked).status()).toBe(200);
      await expect.poll(() => panel.locator(".jlink").count()).toBe(0);
      await panel.locator(".part").nth(1).locator(".p-remove").click();
      await expect.poll(() => states(panel), { timeout: 15_000 }).toEqual([]); // a two-party call shows no list
      await guestCtx.close();

      // Consult a colleague: the customer is held, both calls are shown.
      await page.keyboard.press("Alt+KeyC");
      const cinput = panel.locator(".xfer-form input");
      await expect.poll(() => cinput.evaluate((el) => el === document.activeElement)).toBe(true);
      await cinput.fill("102");
      await page.keyboard.press("Enter");
      const xfer = panel.locator(".xfer");
      await xfer.waitFor({ timeout: 20_000 });
      await expect.poll(() => panel.getAttribute("data-call")).not.toBe(customer);
      await expect.poll(() => panel.getAttribute("data-state"), { timeout: 20_000 }).toBe("connected");
      expect(await xfer.getAttribute("data-customer")).toBe(customer);
      await expect.poll(() => xfer.locator(`li[data-call="${customer}"]`).getAttribute("class")).not.toContain("current");
      for (const b of [xfer.locator(".xfer-complete"), xfer.locator(".xfer-return")]) {
        await inside(panel, b, "transfer button");
        await noClip(b, "transfer button");
      }
      await page.screenshot({ path: join(shots, `${locale}-5-consult.png`) });
      await page.keyboard.press("Alt+KeyR");
      await expect.poll(() => panel.getAttribute("data-call"), { timeout: 15_000 }).toBe(customer);
      await expect.poll(() => panel.getAttribute("data-state"), { timeout: 15_000 }).toBe("connected");
      await expect.poll(() => xfer.count()).toBe(0);

      // Again, and complete: the demo line takes no REFER, which the rep
      // reads as one sentence saying what to do; both calls stay.
      await page.keyboard.press("Alt+KeyC");
      await cinput.fill("103");
      await page.keyboard.press("Enter");
      await xfer.waitFor({ timeout: 20_000 });
      await expect.poll(() => panel.getAttribute("data-state"), { timeout: 20_000 }).toBe("connected");
      const completed = page.waitForResponse((r) => r.url().includes("/api/ConferenceService/CompleteTransfer"));
      await page.keyboard.press("Alt+KeyT");
      expect((await completed).status()).not.toBe(200);
      const toast = page.locator(".toast").last();
      await toast.waitFor({ timeout: 10_000 });
      expect(await toast.textContent()).toContain(locale === "ja" ? "お客様に戻るか" : "Return to the customer");
      await page.screenshot({ path: join(shots, `${locale}-6-transfer-refused.png`) });
      await page.keyboard.press("Alt+KeyR");
      await expect.poll(() => panel.getAttribute("data-call"), { timeout: 15_000 }).toBe(customer);
      await expect.poll(() => panel.getAttribute("data-state"), { timeout: 15_000 }).toBe("connected");
      await panel.locator(".controls .hangup").click();
      await panel.waitFor({ state: "detached", timeout: 15_000 });
      await dismissForms(page);

      // A lead's own monitor call: the role is shown and switched, and the
      // lead leaves.
      await page.locator(".mon-start summary").click();
      await page.locator(".mon-start input").fill("100");
      await page.locator(".mon-start .mon-go").click();
      const mon = panel.locator(".mon");
      await mon.waitFor({ timeout: 20_000 });
      await expect.poll(() => panel.getAttribute("data-state"), { timeout: 20_000 }).toBe("connected");
      expect(await mon.getAttribute("data-role")).toBe("listen");
      expect(await panel.locator(".conf-add").isDisabled(), "a monitor call adds no participants").toBe(true);
      const toWhisper = page.waitForResponse((r) => r.url().includes("/api/ConferenceService/SetMonitorRole"));
      await mon.locator('.mon-role[data-role="whisper"]').click();
      expect((await toWhisper).status()).toBe(200);
      await expect.poll(() => mon.getAttribute("data-role")).toBe("whisper");
      for (const b of await mon.locator("button").all()) await inside(panel, b, "monitor button");
      await page.screenshot({ path: join(shots, `${locale}-7-lead-monitor.png`) });
      await mon.locator(".mon-leave").click();
      await panel.waitFor({ state: "detached", timeout: 15_000 });
      await dismissForms(page);
      await page.context().close();
    });
  });
}
