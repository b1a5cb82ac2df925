// The dialer view at the smallest supported window, 1024x700, in English and
// Japanese, against the real backend (`pitchline serve`, demo line): import
// a CSV with a column mapping and read the per-row report, set the list's
// calling hours, walk the preview card with the keyboard (DNC and manual
// skips with their reasons), add and remove a do-not-call number, dial the
// demo peer from the card (the session's controls and counters in sight
// during the call without scrolling), and add the demo peer's SIP address
// to the DNC list from the post-call form; open the CRM lists dialog (no
// CRM connected), check a list's voicemail file and record one from the (null) microphone. Screenshots go to PITCHLINE_DIALER_SHOTS (default: a
// temporary directory, printed) to be looked at.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Locator, Page } from "playwright-core";
import { REPO, binary, launchBrowser, startServe, type Server, openAt, callAPI, noSideScroll, screenshotDir, box } from "./harness";

let browser: Browser;
const shots = screenshotDir("PITCHLINE_DIALER_SHOTS", "dialer", "dialer");

beforeAll(async () => {
  binary();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});


async function open(server: Server, locale: "en" | "ja"): Promise<Page> {
  const page = await openAt(browser, server, locale);
  await page.locator('nav .tab[data-view="phone"]').click();
  await page.locator("section.dialer").waitFor();
  return page;
}

/** lines counts the rendered lines of an element's text: line boxes whose
 * tops are more than 8 px apart (a smaller <kbd> on the same line sits a
 * few pixels lower). */
function lines(l: Locator): Promise<number> {
  return l.evaluate((el) => {
    const r = document.createRange();
    r.selectNodeContents(el);
    const tops = Array.from(r.getClientRects()).filter((x) => x.width > 0).map((x) => x.top).sort((a, b) => a - b);
    let n = 0;
    let last = -Infinity;
    for (const top of tops) {
      if (top - last > 8) n++;
      last = top;
    }
    return n;
  });
}

for (const locale of ["en", "ja"] as const) {
  describe(`dialer view at 1024x700 (${locale})`, () => {
    let server: Server;
    beforeAll(async () => {
      server = await startServe();
    });
    afterAll(async () => {
      await server?.stop();
    });

    it("imports a CSV, walks the preview card, manages DNC, dials from the card", async () => {
      const page = await open(server, locale);
      const shot = (name: string) => page.screenshot({ path: join(shots, `${locale}-${name}.png`) });
      try {
        await walk(page, shot);
      } catch (e) {
        await shot("failed").catch(() => {});
        console.error(`[${locale}] session at the failure:`, JSON.stringify(await callAPI(page, server, "DialerService", "Session").catch((x) => String(x))));
        console.error(server.log().split("\n").filter((l) => /dialer|error|ERROR|WARN/.test(l)).slice(-30).join("\n"));
        throw e;
      }
      await page.context().close();
    }, 240_000);

    async function walk(page: Page, shot: (name: string) => Promise<Buffer>) {
      const accounts = await callAPI<{ demo: boolean; aor: string }[]>(page, server, "AccountsService", "List");
      const host = accounts.find((a) => a.demo)!.aor.replace(/^sip:rep@/, "");
      const dialer = page.locator("section.dialer");
      await dialer.locator(".dl-empty").waitFor();
      await shot("empty");

      const card = dialer.locator(".preview-card");
      // Import: the file, a mapping change, the report of every problem row.
      await dialer.locator(".dl-import").click();
      const dlg = page.locator(".dialer-modal");
      const csv = [
        "Full Name,Tel,Firm,Notes",
        `Echo Demo,sip:100@${host},Demo Co,answers`,
        "No Phone,,Nowhere,",
        "Bad Number,12,Bad Co,",
        "Ada Lovelace,+1 212 555 0100,Analytical Engines,VIP",
        "Ada Again,(212) 555-0100,Analytical Engines,",
        "Grace Hopper,+81 3-1234-5678,Navy,",
        "",
      ].join("\r\n");
      await dlg.locator("input.imp-file").setInputFiles({ name: "q3-east.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
      await expect.poll(() => dlg.locator("input.imp-name").inputValue()).toBe("q3-east");
      await dlg.locator(".imp-map select").first().waitFor();
      await expect.poll(() => dlg.locator('.imp-map select[aria-label="Firm"]').inputValue()).toBe("extra");
      await dlg.locator('.imp-map select[aria-label="Firm"]').selectOption("company");
      await dlg.locator('.imp-map select[aria-label="Notes"]').selectOption("ignore");
      await expect.poll(() => dlg.locator(".imp-row").count(), { timeout: 10_000 }).toBe(3);
      expect(await dlg.locator(".imp-row").evaluateAll((els) => els.map((e) => [e.getAttribute("data-line"), e.getAttribute("data-reason")]))).toEqual([
        ["3", "empty_phone"],
        ["4", "invalid_number"],
        ["6", "duplicate"],
      ]);
      expect(await dlg.locator(".imp-counts").textContent()).toContain("3");
      await noSideScroll(page, "import dialog");
      await shot("import-report");
      await dlg.locator(".imp-submit").click();
      await dlg.locator(".imp-submit").waitFor({ state: "detached" });
      await expect.poll(() => dlg.locator(".imp-row").count()).toBe(3); // the report stays after the import
      await shot("import-done");
      await dlg.locator(".imp-actions button").click();
      await dlg.waitFor({ state: "detached" });
      await expect.poll(() => dialer.locator(".dl-pick option").first().textContent()).toContain("q3-east");

      // CRM lists: none connected here, the dialog says where to connect one.
      await dialer.locator(".dl-crm").click();
      await dlg.locator(".crm-none").waitFor();
      await noSideScroll(page, "CRM lists");
      await shot("crm-lists");
      await page.keyboard.press("Escape");
      await dlg.waitFor({ state: "detached" });

      // Settings: call around the clock, so the test does not depend on the hour.
      await dialer.locator(".dl-settings").click();
      await dlg.locator("input.ls-from").fill("00:00");
      await dlg.locator("input.ls-to").fill("00:00");
      // The voicemail file: a file that is not audio says so (what was typed
      // stays); the bundled apology prompt plays 4.2 s.
      const vmField = dlg.locator("input.ls-voicemail");
      await vmField.fill(join(REPO, "README.md"));
      await vmField.press("Enter");
      await dlg.locator('.vm-status .error-note[data-code="dialer_voicemail"]').waitFor({ timeout: 10_000 });
      expect(await vmField.inputValue()).toBe(join(REPO, "README.md"));
      await vmField.fill(join(REPO, "softphone", "dialer", "assets", "apology.wav"));
      await dlg.locator(".ls-vm-check").click();
      await expect.poll(() => dlg.locator(".vm-ok").textContent(), { timeout: 10_000 }).toMatch(/4\.2/);
      await noSideScroll(page, "list settings");
      await shot("settings-voicemail");
      // Play it on the speaker from the keyboard; Esc stops it and keeps the
      // dialog open (the backend says it stopped, and why).
      const playing = async () => (await callAPI<{ playing: boolean; reason: string }>(page, server, "DialerService", "VoicemailPlay")).playing;
      const play = dlg.locator(".ls-vm-play");
      await play.focus();
      await page.keyboard.press("Enter");
      await expect.poll(() => play.textContent(), { timeout: 10_000 }).toBe(locale === "ja" ? "停止" : "Stop");
      expect(await playing()).toBe(true);
      await dlg.locator(".vm-playing").waitFor();
      await noSideScroll(page, "playing a voicemail");
      await shot("settings-vm-playing");
      await page.keyboard.press("Escape");
      await expect.poll(() => play.textContent(), { timeout: 10_000 }).toBe(locale === "ja" ? "再生" : "Play");
      expect(await playing()).toBe(false);
      expect((await callAPI<{ reason: string }>(page, server, "DialerService", "VoicemailPlay")).reason).toBe("stopped");
      expect(await dlg.isVisible()).toBe(true);
      // A second press stops it too.
      await play.click();
      await expect.poll(() => playing(), { timeout: 10_000 }).toBe(true);
      await play.click();
      await expect.poll(() => playing(), { timeout: 10_000 }).toBe(false);
      // Parallel mode offers the apology prompt: checked like the voicemail
      // (a text file says so), played the same way. Back to preview after.
      await dlg.locator("select.ls-mode").selectOption("parallel");
      const apField = dlg.locator("input.ls-apology");
      await apField.fill(join(REPO, "README.md"));
      await apField.press("Enter");
      await dlg.locator('.ap-status .error-note[data-code="dialer_apology"]').waitFor({ timeout: 10_000 });
      await apField.fill(join(REPO, "softphone", "dialer", "assets", "apology.wav"));
      await dlg.locator(".ls-ap-check").click();
      await expect.poll(() => dlg.locator(".ap-status .vm-ok").textContent(), { timeout: 10_000 }).toMatch(/4\.2/);
      await dlg.locator(".ls-ap-play").click();
      await expect.poll(() => playing(), { timeout: 10_000 }).toBe(true);
      await dlg.locator(".ap-status .vm-playing").waitFor();
      await noSideScroll(page, "apology prompt");
      await shot("settings-apology-playing");
      await page.keyboard.press("Escape");
      await expect.poll(() => playing(), { timeout: 10_000 }).toBe(false);
      await apField.fill("");
      await dlg.locator("select.ls-mode").selectOption("preview");
      // Record a voicemail instead (the null audio device records silence):
      // replacing the checked file asks first; the elapsed time and level
      // show; Stop (focused, pressed from the keyboard) sets the recording
      // in the data directory as the list's voicemail, with its duration.
      await dlg.locator(".ls-vm-rec").click();
      await dlg.locator(".vm-confirm").waitFor();
      await shot("settings-vm-replace");
      await dlg.locator(".ls-vm-rec-yes").click();
      await expect.poll(() => page.evaluate(() => document.activeElement?.className ?? ""), { timeout: 10_000 }).toContain("ls-vm-stop");
      await expect.poll(() => dlg.locator(".vm-rec-time").textContent(), { timeout: 15_000 }).toMatch(/0:0[1-9]/);
      await noSideScroll(page, "recording a voicemail");
      await shot("settings-vm-recording");
      await page.keyboard.press("Enter");
      await expect.poll(() => dlg.locator(".vm-rec-result .vm-ok").textContent(), { timeout: 10_000 }).toMatch(/[1-9]\.\d/);
      expect(await vmField.inputValue()).toMatch(/[\\/]voicemail[\\/][^\\/]+\.wav$/);
      expect(await dlg.locator(".vm-status .vm-ok").textContent()).toMatch(/[1-9]\.\d/);
      await shot("settings-vm-recorded");
      // Back to the bundled prompt for the session below.
      await vmField.fill(join(REPO, "softphone", "dialer", "assets", "apology.wav"));
      await dlg.locator(".ls-vm-check").click();
      await expect.poll(() => dlg.locator(".vm-status .vm-ok").textContent(), { timeout: 10_000 }).toMatch(/4\.2/);
      const saved = page.waitForResponse((r) => r.url().includes("/api/DialerService/SaveSettings"));
      await dlg.locator(".ls-save").click();
      expect((await saved).status()).toBe(200);
      await dlg.locator(".ls-status").filter({ hasText: /\S/ }).waitFor();
      await page.keyboard.press("Escape");
      await dlg.waitFor({ state: "detached" });
      await expect.poll(() => dialer.locator(".dl-summary").textContent()).toContain("00:00-24:00");

      // Start with the keyboard (Alt+P): the first contact's card.
      await page.locator("body").click({ position: { x: 5, y: 690 } });
      await page.keyboard.press("Alt+KeyP");
      await expect.poll(() => card.getAttribute("data-position"), { timeout: 10_000 }).toBe("0");
      expect(await card.locator(".pc-name").textContent()).toBe("Echo Demo");
      expect(await card.locator(".pc-company").textContent()).toBe("Demo Co");
      expect(await card.locator(".pc-dial").isEnabled()).toBe(true);
      await expect.poll(() => page.evaluate(() => document.activeElement?.className ?? "")).toContain("pc-dial");
      expect(await dialer.locator(".dl-progress-text").textContent()).toMatch(/0\D+3|3\D+0/);
      expect(await lines(card.locator(".pc-dial")), "Dial on one line").toBe(1);
      await noSideScroll(page, "preview card");
      await shot("preview");

      // DNC: add Ada's number in another spelling.
      const dnc = async (fn: () => Promise<void>) => {
        await dialer.locator(".dl-dnc").click();
        await fn();
        await page.keyboard.press("Escape");
        await dlg.waitFor({ state: "detached" });
      };
      await dnc(async () => {
        await dlg.locator("input.dnc-number").fill("(212) 555-0100");
        await dlg.locator("input.dnc-note").fill("Asked not to be called");
        await dlg.locator(".dnc-add-btn").click();
        await dlg.locator('.dnc-entry[data-number="+12125550100"]').waitFor();
        await shot("dnc");
      });
      await expect.poll(() => dialer.locator(".dl-dnc .badge").textContent()).toBe("1");

      // Skip Echo with Alt+K: the session skips Ada (DNC) on its own, with
      // the reason, and shows Grace.
      await page.keyboard.press("Alt+KeyK");
      await expect.poll(() => card.getAttribute("data-position"), { timeout: 10_000 }).toBe("2");
      expect(await card.locator(".pc-name").textContent()).toBe("Grace Hopper");
      expect(await card.locator(".pc-time").textContent()).toMatch(/Asia\/Tokyo/);
      await expect.poll(() => dialer.locator('.ctr[data-counter="skipped"] dd').textContent()).toBe("2");
      await dialer.locator(".dl-skipped summary").click();
      expect(await dialer.locator(".dl-skipped li").evaluateAll((els) => els.map((e) => e.getAttribute("data-reason")))).toEqual(["rep", "dnc"]);
      expect(await dialer.locator(".dl-progress-text").textContent()).toMatch(/2\D+3|3\D+2/);
      await noSideScroll(page, "skipped reasons");
      await shot("skipped");

      // Grace's number on the DNC list too: the card says she will be skipped.
      await dnc(async () => {
        await dlg.locator("input.dnc-number").fill("+81 3-1234-5678");
        await dlg.locator(".dnc-add-btn").click();
        await dlg.locator('.dnc-entry[data-number="+81312345678"]').waitFor();
      });
      await expect.poll(() => card.locator(".pc-verdict").getAttribute("data-reason")).toBe("dnc");
      expect(await card.locator(".pc-dial").isDisabled()).toBe(true);
      await shot("preview-dnc");

      // Remove both numbers again; the card's verdict follows.
      await dnc(async () => {
        for (const n of ["+12125550100", "+81312345678"]) {
          await dlg.locator(`.dnc-entry[data-number="${n}"] .dnc-remove`).click();
          await dlg.locator(`.dnc-entry[data-number="${n}"]`).waitFor({ state: "detached" });
        }
        await dlg.locator(".dnc-status").filter({ hasText: /\S/ }).waitFor();
      });
      expect(await callAPI<unknown[]>(page, server, "DialerService", "DNC")).toEqual([]);
      await expect.poll(() => card.locator(".pc-dial").isEnabled()).toBe(true);

      // Stop (Alt+X), start again, dial the demo peer from the card (Alt+N).
      await page.keyboard.press("Alt+KeyX");
      await card.waitFor({ state: "detached", timeout: 10_000 });
      await page.keyboard.press("Alt+KeyP");
      await expect.poll(() => card.getAttribute("data-position"), { timeout: 10_000 }).toBe("0");
      // As a rep would: press Alt+N once the card's Dial button is live.
      await expect.poll(() => card.locator(".pc-dial").isEnabled(), { timeout: 10_000 }).toBe(true);
      await page.keyboard.press("Alt+KeyN");
      const panel = page.locator(".incall");
      await expect.poll(() => panel.getAttribute("data-state"), { timeout: 20_000 }).toBe("connected");
      await expect.poll(() => dialer.locator('.ctr[data-counter="connected"] dd').textContent(), { timeout: 10_000 }).toBe("1");
      expect(await dialer.locator('.ctr[data-counter="dialled"] dd').textContent()).toBe("1");
      // The call panel is not cramped by the dialer: they do not overlap.
      const calls = await box(page.locator("aside.calls"));
      const view = await box(dialer);
      expect(view.x + view.width, "dialer left of the call panel").toBeLessThanOrEqual(calls.x + 1);
      expect(calls.width, "call panel width").toBeGreaterThanOrEqual(360);
      expect(await lines(panel.locator(".hangup")), "Hang up on one line").toBe(1);
      // The session's controls, progress and counters are in sight during
      // the call without scrolling (the dialer view comes above the dialpad).
      for (const sel of [".dl-controls", ".dl-progress", ".dl-counters"]) {
        const b = await box(dialer.locator(sel));
        expect(b.y, `${sel} below the top`).toBeGreaterThanOrEqual(0);
        expect(b.y + b.height, `${sel} within the 700 px window`).toBeLessThanOrEqual(700);
      }
      expect(await page.locator("main.content").evaluate((el) => el.scrollTop), "not scrolled").toBe(0);
      await noSideScroll(page, "in a call");
      await shot("in-call");

      // Hang up; the post-call form offers "add to the DNC list". The demo
      // peer is a SIP user ("100", not a phone number): its SIP address
      // goes on the list as sip:100@host, the key the session checks.
      await panel.locator(".hangup").click();
      await panel.waitFor({ state: "detached", timeout: 15_000 });
      const form = page.locator(".outcome-form").first();
      await form.waitFor();
      await form.locator("select[name=outcome]").selectOption({ index: 1 });
      await form.locator("textarea").first().fill("Call back next week");
      await form.locator("input[name=addDnc]").check();
      await shot("form-dnc");
      await form.locator("button[type=submit]").click();
      await form.waitFor({ state: "detached", timeout: 15_000 });
      const listed = await callAPI<{ number: string; source: string }[]>(page, server, "DialerService", "DNC");
      expect(listed.map((e) => [e.number, e.source])).toEqual([[`sip:100@${host}`, "form"]]);
      await expect.poll(() => dialer.locator(".dl-dnc .badge").textContent()).toBe("1");
      // The session went on to the next contact once the call ended.
      await expect.poll(() => card.getAttribute("data-position"), { timeout: 10_000 }).toBe("1");
      await shot("after-call");
    }
  });
}
