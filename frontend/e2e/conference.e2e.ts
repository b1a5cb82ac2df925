// The conference panel against the real backend (`pitchline serve`, demo
// line) at the smallest supported window, 1024x700, in English and
// Japanese: add a participant through the demo line (any number but 486,
// 408 and 300 answers), see two participants, hold one, add and remove a
// third, merge a second call in, leave (the others stay bridged, clearly
// shown), then end for all. Hang up never moves while the list grows.
// Screenshots go to PITCHLINE_CONF_SHOTS (default: a temporary directory,
// printed) to be looked at.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Locator, Page } from "playwright-core";
import { binary, launchBrowser, startServe, type Server, openAt, dismissForms, screenshotDir, box } from "./harness";

let browser: Browser;
let server: Server;
const shots = screenshotDir("PITCHLINE_CONF_SHOTS", "conf", "conference");

beforeAll(async () => {
  binary();
  browser = await launchBrowser();
  server = await startServe();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** lines counts the rendered lines of an element's text. */
function lines(l: Locator): Promise<number> {
  return l.evaluate((el) => {
    const r = document.createRange();
    r.selectNodeContents(el);
    const tops = new Set<number>();
    for (const rect of Array.from(r.getClientRects())) if (rect.width > 0) tops.add(Math.round(rect.top));
    return tops.size;
  });
}

async function open(locale: "en" | "ja"): Promise<Page> {
  const page = await openAt(browser, server, locale);
  await page.locator('nav .tab[data-view="phone"]').click();
  return page;
}

/** states returns the data-state of every participant row, in order. */
function states(panel: Locator): Promise<(string | null)[]> {
  return panel.locator(".part").evaluateAll((els) => els.map((e) => e.getAttribute("data-state")));
}

async function addParticipant(page: Page, panel: Locator, number: string) {
  // Alt+I opens the form with the cursor in its field.
  await page.keyboard.press("Alt+KeyI");
  const input = panel.locator(".conf-add-form input");
  await expect.poll(() => input.evaluate((el) => el === document.activeElement)).toBe(true);
  await input.fill(number);
  const added = page.waitForResponse((r) => r.url().includes("/api/ConferenceService/Add"));
  await page.keyboard.press("Enter");
  expect((await added).status()).toBe(200);
}

for (const locale of ["en", "ja"] as const) {
  describe(`conference at 1024x700 (${locale})`, () => {
    it("add, hold, remove, merge, leave and end for all, with Hang up in place", async () => {
      const page = await open(locale);
      await page.locator('.demo-numbers li[data-behaviour="answer"] .demo-number').first().click();
      const panel = page.locator(".incall");
      await expect.poll(() => panel.getAttribute("data-state"), { timeout: 20_000 }).toBe("connected");
      const hangup = panel.locator(".controls .hangup");
      const home = await box(hangup);
      const same = async (what: string) => {
        const b = await box(hangup);
        for (const k of ["x", "y", "width", "height"] as const) expect(Math.abs(b[k] - home[k]), `${what}: hang-up ${k} ${b[k]} vs ${home[k]}`).toBeLessThan(0.5);
        expect(await lines(hangup), `${what}: Hang up on one line`).toBe(1);
      };
      await page.screenshot({ path: join(shots, `${locale}-1-call.png`) });

      // Add a participant through the demo line: two participants, both up.
      await addParticipant(page, panel, "101");
      await expect.poll(() => states(panel), { timeout: 20_000 }).toEqual(["connected", "connected"]);
      await same("two participants");
      const rows = panel.locator(".part");
      await expect.poll(() => rows.nth(1).locator(".pname").textContent()).toBe("101");
      for (const l of [rows.nth(0).locator(".pname"), rows.nth(0).locator(".pnum"), rows.nth(1).locator(".pname")]) {
        if ((await l.count()) > 0) expect(await lines(l), (await l.textContent()) ?? "").toBe(1);
      }
      // Every row's icons are inside the panel (nothing cut off at 1024 px).
      const inner = await box(panel);
      for (let i = 0; i < 2; i++) {
        const r = await box(rows.nth(i).locator(".p-remove"));
        expect(r.x + r.width, "hang-up icon inside the panel").toBeLessThanOrEqual(inner.x + inner.width);
      }
      await page.screenshot({ path: join(shots, `${locale}-2-two-participants.png`) });

      // Hold the second: it shows held, the first stays connected.
      await rows.nth(1).locator(".p-hold").click();
      await expect.poll(() => states(panel), { timeout: 15_000 }).toEqual(["connected", "held"]);
      expect(await rows.nth(1).locator(".p-hold").getAttribute("aria-pressed")).toBe("true");
      await same("one held");
      await page.screenshot({ path: join(shots, `${locale}-3-held.png`) });
      await rows.nth(1).locator(".p-hold").click();
      await expect.poll(() => states(panel), { timeout: 15_000 }).toEqual(["connected", "connected"]);

      // Mute the second, then add a third and remove it: two stay.
      await rows.nth(1).locator(".p-mute").click();
      await expect.poll(() => rows.nth(1).getAttribute("data-muted"), { timeout: 15_000 }).toBe("true");
      await addParticipant(page, panel, "102");
      await expect.poll(() => states(panel), { timeout: 20_000 }).toEqual(["connected", "connected", "connected"]);
      await same("three participants");
      await page.screenshot({ path: join(shots, `${locale}-4-three.png`) });
      await rows.nth(2).locator(".p-remove").click();
      await expect.poll(() => states(panel), { timeout: 15_000 }).toEqual(["connected", "connected"]);
      await expect.poll(() => panel.getAttribute("data-state")).toBe("connected");

      // A second call (the conference goes on hold), merged in: three
      // participants in one call, none left on hold.
      const first = await panel.getAttribute("data-call");
      await page.locator('.demo-numbers li[data-behaviour="answer"] .demo-number').first().click();
      await expect.poll(async () => (await panel.getAttribute("data-call")) !== first && (await panel.getAttribute("data-state")) === "connected", { timeout: 20_000 }).toBe(true);
      await page.screenshot({ path: join(shots, `${locale}-5-second-call.png`) });
      await page.keyboard.press("Alt+KeyG");
      await expect.poll(() => states(panel), { timeout: 20_000 }).toEqual(["connected", "connected", "connected"]);
      await expect.poll(() => page.locator(".call-list").count()).toBe(0);
      await page.screenshot({ path: join(shots, `${locale}-6-merged.png`) });

      // Leave: the others stay connected, and the panel says so.
      await panel.locator(".conf-leave").click();
      await panel.locator(".conf-left").waitFor({ timeout: 15_000 });
      expect(await panel.locator(".part").count()).toBe(3);
      expect(await panel.getAttribute("data-state")).toBe("connected");
      await same("left");
      await page.screenshot({ path: join(shots, `${locale}-7-left.png`) });

      // End for all: every participant hangs up, the call ends.
      await panel.locator(".conf-left .conf-endall").click();
      await panel.waitFor({ state: "detached", timeout: 15_000 });
      await dismissForms(page);
      await page.context().close();
    });
  });
}
