// Layout at the smallest supported window, 1024x700, in English and
// Japanese: a call and a pending post-call form open together. The Hang up
// button stays where it is whichever of Mute/Hold/Keypad is active, never
// wraps, and phone numbers never break over lines. Screenshots of each state
// go to PITCHLINE_LAYOUT_SHOTS (default: a temporary directory, printed) to
// be looked at.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Locator, Page } from "playwright-core";
import { binary, launchBrowser, startServe, type Server, openAt, screenshotDir, box } from "./harness";

let browser: Browser;
let server: Server;
const shots = screenshotDir("PITCHLINE_LAYOUT_SHOTS", "layout", "layout");

beforeAll(async () => {
  binary();
  browser = await launchBrowser();
  server = await startServe();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** lines counts the rendered lines of an element's text (distinct line boxes). */
function lines(l: Locator): Promise<number> {
  return l.evaluate((el) => {
    const r = document.createRange();
    r.selectNodeContents(el);
    const tops = new Set<number>();
    for (const rect of Array.from(r.getClientRects())) if (rect.width > 0) tops.add(Math.round(rect.top));
    return tops.size;
  });
}

/** numberLines counts the lines the phone number inside el's text spans. */
function numberLines(l: Locator): Promise<number> {
  return l.evaluate((el) => {
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const m = /\+?\d[\d\u00a0\u2011() .-]{5,}\d/.exec(n.textContent ?? "");
      if (!m) continue;
      const r = document.createRange();
      r.setStart(n, m.index);
      r.setEnd(n, m.index + m[0].length);
      const tops = new Set<number>();
      for (const rect of Array.from(r.getClientRects())) if (rect.width > 0) tops.add(Math.round(rect.top));
      return tops.size;
    }
    return -1;
  });
}

async function open(locale: "en" | "ja"): Promise<Page> {
  const page = await openAt(browser, server, locale);
  await page.locator('nav .tab[data-view="phone"]').click();
  return page;
}

async function callAnswerNumber(page: Page): Promise<Locator> {
  const btn = page.locator('.demo-numbers li[data-behaviour="answer"] .demo-number').first();
  await btn.click();
  const panel = page.locator(".incall");
  await expect.poll(() => panel.getAttribute("data-state"), { timeout: 20_000 }).toBe("connected");
  return panel;
}

for (const locale of ["en", "ja"] as const) {
  describe(`layout at 1024x700 (${locale})`, () => {
    it("a call and a pending form: Hang up stays put on one line, numbers stay whole", async () => {
      const page = await open(locale);
      // A first call, hung up: its post-call form stays pending.
      let panel = await callAnswerNumber(page);
      await panel.locator(".hangup").click();
      await panel.waitFor({ state: "detached", timeout: 15_000 });
      await page.locator(".outcome-form").first().waitFor();
      // A second call with the form still open.
      panel = await callAnswerNumber(page);
      await expect.poll(() => page.locator(".incall .timer").getAttribute("data-duration"), { timeout: 10_000 }).not.toBe("0");
      const hangup = panel.locator(".hangup");
      const ctl = (i: number) => panel.locator(".controls .ctl").nth(i); // 0 mute, 1 hold, 2 keypad
      await page.screenshot({ path: join(shots, `${locale}-call-and-form.png`) });

      // Two columns, not three: the form sits under the call, not beside it.
      const calls = await box(page.locator("aside.calls"));
      const form = await box(page.locator(".outcome-form").first());
      expect(form.y, "form below the call panel").toBeGreaterThanOrEqual(calls.y + calls.height - 1);
      expect(Math.abs(form.x - calls.x), "form in the call column").toBeLessThan(2);

      const home = await box(hangup);
      expect(await lines(hangup), "Hang up on one line").toBe(1);
      const same = async (what: string) => {
        const b = await box(hangup);
        for (const k of ["x", "y", "width", "height"] as const) expect(Math.abs(b[k] - home[k]), `${what}: hang-up ${k} ${b[k]} vs ${home[k]}`).toBeLessThan(0.5);
        expect(await lines(hangup), `${what}: Hang up on one line`).toBe(1);
      };
      await ctl(0).click(); // mute
      await expect.poll(() => ctl(0).getAttribute("aria-pressed")).toBe("true");
      await page.locator(".muted-badge").waitFor();
      await same("muted");
      await page.screenshot({ path: join(shots, `${locale}-muted.png`) });
      await ctl(1).click(); // hold
      await expect.poll(() => panel.getAttribute("data-state"), { timeout: 10_000 }).toBe("held");
      await same("muted and held");
      await page.screenshot({ path: join(shots, `${locale}-held.png`) });
      await ctl(2).click(); // keypad
      await panel.locator(".dtmf").waitFor().catch(() => {}); // no keypad while held
      await same("muted, held, keypad toggled");
      await ctl(1).click(); // resume
      await expect.poll(() => panel.getAttribute("data-state"), { timeout: 10_000 }).toBe("connected");
      await panel.locator(".dtmf").waitFor();
      await same("muted, keypad open");
      await page.screenshot({ path: join(shots, `${locale}-keypad.png`) });
      await ctl(0).click(); // unmute
      await expect.poll(() => ctl(0).getAttribute("aria-pressed")).toBe("false");
      await same("keypad open");
      await ctl(2).click();
      await panel.locator(".dtmf").waitFor({ state: "detached" });
      await same("back to start");

      // Numbers stay on one line: the caller's number, the timer and the
      // number in the form's title.
      for (const l of [panel.locator(".caller-number"), panel.locator(".timer")]) {
        if ((await l.count()) > 0) expect(await lines(l.first()), await l.first().textContent() ?? "").toBe(1);
      }
      const title = page.locator(".outcome-form h2").first();
      const n = await numberLines(title);
      if (n !== -1) expect(n, `number in "${await title.textContent()}"`).toBe(1);

      await hangup.click();
      await panel.waitFor({ state: "detached", timeout: 15_000 });
      // Leave no forms behind for the next locale: dismiss them.
      while ((await page.locator(".outcome-form").count()) > 0) {
        const id = await page.locator(".outcome-form").first().getAttribute("data-call");
        await page.locator(".outcome-form").first().locator("select[name=outcome]").selectOption({ index: 1 });
        await page.locator(".outcome-form").first().locator("button[type=submit]").click();
        await expect.poll(() => page.locator(`.outcome-form[data-call="${id}"]`).count(), { timeout: 15_000 }).toBe(0);
      }
      await page.context().close();
    });
  });
}
