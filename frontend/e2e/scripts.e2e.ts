// Call scripts with branches at the smallest supported window, 1024x700, in
// English and Japanese, against the real backend (`pitchline serve`, demo
// line): write a script in the Settings editor (sections, a variable with a
// fallback inserted from the menu, choices with a target, an outcome and a
// note; a live problem shown, then fixed), call the demo peer, walk the
// script with Alt+digit and Alt+B while notes the rep typed stay, hang up
// and find the outcome pre-selected and the path in the form's notes, and
// set the script of a call list. Screenshots go to PITCHLINE_SCRIPT_SHOTS
// (default: a temporary directory, printed) to be looked at.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { binary, launchBrowser, startServe, type Server, openAt, callAPI, noSideScroll, screenshotDir } from "./harness";

let browser: Browser;
const shots = screenshotDir("PITCHLINE_SCRIPT_SHOTS", "scripts", "script");

beforeAll(async () => {
  binary();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});


async function open(server: Server, locale: "en" | "ja"): Promise<Page> {
  const page = await openAt(browser, server, locale);
  return page;
}


for (const locale of ["en", "ja"] as const) {
  describe(`call scripts at 1024x700 (${locale})`, () => {
    let server: Server;
    beforeAll(async () => {
      server = await startServe();
    });
    afterAll(async () => {
      await server?.stop();
    });

    it("writes a branching script, walks it in a call, pre-fills the form, sets a list's script", async () => {
      const page = await open(server, locale);
      const shot = (name: string) => page.screenshot({ path: join(shots, `${locale}-${name}.png`) });
      try {
        await walk(page, shot);
      } catch (e) {
        await shot("failed").catch(() => {});
        console.error(server.log().split("\n").filter((l) => /script|error|ERROR|WARN/.test(l)).slice(-30).join("\n"));
        throw e;
      }
      await page.context().close();
    }, 240_000);

    async function walk(page: Page, shot: (name: string) => Promise<Buffer>) {
      // --- the editor -------------------------------------------------------
      const ed = page.locator(".script-editor");
      await ed.scrollIntoViewIfNeeded();
      await ed.locator("button.script-add").click();
      const form = ed.locator("form.script-edit");
      await form.locator("input.script-name").fill("Cold call");
      const sec = (i: number) => form.locator(`fieldset[data-section="${i}"]`);
      await sec(0).locator("input.section-name").fill("Opening");
      const body0 = sec(0).locator("textarea.section-body");
      await body0.fill("Hi ");
      await body0.press("End");
      // Insert {{contact.first_name}} from the menu; the caret lands before
      // the closing braces, so typing "|there" adds the fallback.
      await sec(0).locator("select.insert-var").selectOption("contact.first_name");
      await expect.poll(() => body0.inputValue()).toBe("Hi {{contact.first_name}}");
      // ...and only type once the caret is there, in the focused field.
      await expect
        .poll(() => body0.evaluate((el: HTMLTextAreaElement) => [document.activeElement === el, el.selectionStart, el.selectionEnd]))
        .toEqual([true, "Hi {{contact.first_name".length, "Hi {{contact.first_name".length]);
      await page.keyboard.type("|there");
      await body0.press("End");
      await page.keyboard.type(", this is {{rep.name}} from Pitchline. Do you have a minute?");
      expect(await body0.inputValue()).toBe("Hi {{contact.first_name|there}}, this is {{rep.name}} from Pitchline. Do you have a minute?");

      await form.locator("button.add-section").click();
      await sec(1).locator("input.section-name").fill("Price");
      // A problem shows while typing, then goes away once fixed.
      await sec(1).locator("textarea.section-body").fill("Teams at {{company.name|companies like yours}} said the same {{oops");
      await form.locator(".script-issues li").first().waitFor();
      expect(await form.locator(".script-issues li").count()).toBe(1);
      await sec(1).locator("textarea.section-body").fill("Teams at {{company.name|companies like yours}} said the same. What if it paid for itself in a month?");
      await expect.poll(() => form.locator(".script-issues").count()).toBe(0);

      // Opening: choice 1 → Price, sets "Not interested", adds a note line.
      await sec(0).locator("button.add-choice").click();
      const c00 = sec(0).locator(".choice-edit").nth(0);
      await c00.locator("input.choice-label-input").fill("Not interested — price");
      await c00.locator("select.choice-target").selectOption("Price");
      await c00.locator("select.choice-outcome-select").selectOption("Not interested");
      await c00.locator("input.choice-note").fill("Objection: price");
      // choice 2 ends the script with "Meeting booked".
      await sec(0).locator("button.add-choice").click();
      const c01 = sec(0).locator(".choice-edit").nth(1);
      await c01.locator("input.choice-label-input").fill("Book a demo");
      await c01.locator("select.choice-outcome-select").selectOption("Meeting booked");
      await c01.locator("input.choice-note").fill("Demo booked");
      // Price: back to the opening (a cycle).
      await sec(1).locator("button.add-choice").click();
      const c10 = sec(1).locator(".choice-edit").nth(0);
      await c10.locator("input.choice-label-input").fill("Listens again");
      await c10.locator("select.choice-target").selectOption("Opening");

      expect(await form.locator("input.script-default").isChecked()).toBe(true); // the first script is the default
      await noSideScroll(page, "script editor");
      await sec(0).scrollIntoViewIfNeeded();
      await shot("editor");
      const saved = page.waitForResponse((r) => r.url().includes("/api/ScriptsService/Save"));
      await form.locator('button[type="submit"]').click();
      expect((await saved).status()).toBe(200);
      await ed.locator(".ok[role=status]").waitFor();
      const scripts = await callAPI<{ id: number; name: string; default: boolean; sections: { name: string; choices: { target: string; outcome: string }[] }[] }[]>(page, server, "ScriptsService", "List");
      expect(scripts.map((s) => [s.name, s.default, s.sections.map((x) => x.name).join(">")])).toEqual([["Cold call", true, "Opening>Price"]]);
      expect(scripts[0].sections[0].choices.map((c) => [c.target, c.outcome])).toEqual([["Price", "Not interested"], ["", "Meeting booked"]]);

      // --- in a call ----------------------------------------------------------
      await page.locator('nav .tab[data-view="phone"]').click();
      const answer = page.locator('.demo-numbers li[data-behaviour="answer"] .demo-number').first();
      await answer.click();
      await page.locator('.incall[data-state="connected"]').waitFor({ timeout: 20_000 });
      const panel = page.locator(".incall .script");
      await expect.poll(() => panel.locator(".script-section").textContent()).toBe("Opening");
      const body = panel.locator(".script-body");
      const text = (await body.textContent()) ?? "";
      expect(text).not.toContain("{{");
      expect(text).not.toContain("undefined");
      // The demo peer is not a contact: the fallback is read, marked for the rep.
      expect(await body.locator('.fallback[data-var="contact.first_name"]').textContent()).toBe("there");

      const notes = page.locator(".incall textarea").first();
      await notes.fill("Rep typed: asked about pricing");
      await notes.focus();
      // Alt+1 while typing in the notes: the script follows choice 1.
      await page.keyboard.press("Alt+Digit1");
      await expect.poll(() => panel.locator(".script-section").textContent()).toBe("Price");
      expect(await body.locator('.fallback[data-var="company.name"]').textContent()).toBe("companies like yours");
      await expect.poll(() => notes.inputValue()).toBe("Rep typed: asked about pricing\nScript: Opening → Not interested — price\nObjection: price");
      await noSideScroll(page, "call with script");
      await shot("in-call-price");
      // Alt+B goes back; Alt+1 again on Price leads to the Opening (cycle).
      await page.keyboard.press("Alt+KeyB");
      await expect.poll(() => panel.locator(".script-section").textContent()).toBe("Opening");
      await page.keyboard.press("Alt+Digit1");
      await expect.poll(() => panel.locator(".script-section").textContent()).toBe("Price");
      await page.keyboard.press("Alt+Digit1");
      await expect.poll(() => panel.locator(".script-section").textContent()).toBe("Opening");
      expect((await panel.locator(".crumb").allTextContents()).map((x) => x.trim())).toEqual(["Opening", "Price", "Opening"]);
      await shot("in-call-path");

      // --- hang up: the form has the outcome and the path ---------------------
      await page.locator(".incall button.hangup").click();
      const of = page.locator("aside.outcome-form");
      await of.waitFor({ timeout: 15_000 });
      const outcome = of.locator('select[name="outcome"]');
      await expect.poll(async () => (await outcome.locator("option:checked").textContent())?.trim()).toBe("Not interested");
      const formNotes = of.locator("textarea").first();
      await expect.poll(() => formNotes.inputValue(), { timeout: 10_000 }).toContain("Objection: price");
      const n = await formNotes.inputValue();
      expect(n.startsWith("Rep typed: asked about pricing\n")).toBe(true);
      expect(n).toContain("Script: Price → Listens again");
      await noSideScroll(page, "outcome form");
      await shot("outcome-form");
      // The rep can still change the outcome.
      await outcome.selectOption({ label: "Connected" });
      const formSaved = page.waitForResponse((r) => r.url().includes("/api/FormsService/Save"));
      await of.locator('button[type="submit"]').click();
      expect((await formSaved).status()).toBe(200);
      await of.waitFor({ state: "detached" });

      // --- a call list's script ----------------------------------------------
      await callAPI(page, server, "DialerService", "Import", [{ name: "Renewals", csv: "name,phone\nAda,+12125550100\n", mapping: {}, dryRun: false }]);
      await page.reload();
      await page.locator("section.dialer").waitFor();
      const dialer = page.locator("section.dialer");
      await expect.poll(() => dialer.locator(".dl-pick option").count()).toBeGreaterThan(0);
      await dialer.locator(".dl-settings").click();
      const dlg = page.locator(".dialer-modal");
      const pick = dlg.locator("select.ls-script");
      await expect.poll(() => pick.locator("option").count()).toBe(2);
      await pick.selectOption({ label: "Cold call" });
      await noSideScroll(page, "list settings");
      await shot("list-settings");
      const ls = page.waitForResponse((r) => r.url().includes("/api/DialerService/SaveSettings"));
      await dlg.locator(".ls-save").click();
      expect((await ls).status()).toBe(200);
      const lists = await callAPI<{ name: string; settings: { scriptId: number } }[]>(page, server, "DialerService", "Lists");
      expect(lists.map((l) => [l.name, l.settings.scriptId])).toEqual([["Renewals", scripts[0].id]]);
    }
  });
}
