// An inbound monitor request on the rep's window, over real SIP, at
// 1024x700 in English and Japanese. The SIP lab (internal/cmd/siplab:
// Kamailio on 127.0.0.1 and a baresip customer, bob) runs in its own
// process; two Pitchlines register there, each a `pitchline serve` with its
// own keychain: the rep (alice), whose window this test reads, and a team
// lead (dave), listed in the rep's Settings -> Team leads and driven
// through his own window ("Monitor a rep", role switch, leave). The rep
// calls bob; carol (`pitchline call --monitor listen`, not a lead) is
// refused with 403 and nothing rings or pops up in the rep's window; dave
// listens (the rep's banner says so), whispers (the banner follows) and
// leaves (the banner goes, the rep's call goes on). Screenshots go to
// PITCHLINE_MONITOR_SHOTS (default: a temporary directory, printed).
import { execFile, execFileSync, spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface, type Interface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import type { Browser, Locator, Page } from "playwright-core";
import { binary, launchBrowser, noSideScroll, openAt, REPO, startServe, type Server, dismissForms, screenshotDir, box, inside, noClip } from "./harness";

/** Lab is the running internal/cmd/siplab. */
interface Lab {
  registrar: string;
  users: Record<string, string>;
  customer: string;
  proc: ChildProcessWithoutNullStreams;
  lines: Interface;
  stderr: () => string;
}

let browser: Browser;
let lab: Lab | undefined;
let rep: Server | undefined;
let lead: Server | undefined;
const shots = screenshotDir("PITCHLINE_MONITOR_SHOTS", "monitor", "monitor");

/** startLab builds and runs internal/cmd/siplab and resolves once its lab is up. */
function startLab(): Promise<Lab> {
  const bin = join(mkdtempSync(join(tmpdir(), "pitchline-siplab-")), "siplab");
  execFileSync("go", ["build", "-o", bin, "./internal/cmd/siplab"], { cwd: REPO, stdio: "inherit" });
  const proc = spawn(bin, [], { cwd: REPO });
  let stderr = "";
  proc.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const lines = createInterface({ input: proc.stdout });
  return new Promise((ok, fail) => {
    const exited = (code: number | null) => fail(new Error(`siplab exited with ${code}\n${stderr}`));
    proc.once("exit", exited);
    lines.once("line", (line) => {
      proc.off("exit", exited);
      const v = JSON.parse(line) as { registrar: string; users: Record<string, string>; customer: string };
      ok({ ...v, proc, lines, stderr: () => stderr });
    });
  });
}

/** waitRegistered asks the lab to wait until user has a contact at Kamailio. */
function waitRegistered(l: Lab, user: string): Promise<void> {
  return new Promise((ok, fail) => {
    const on = (line: string) => {
      if (!line.endsWith(` ${user}`) && !line.startsWith(`error ${user}:`)) return;
      l.lines.off("line", on);
      if (line === `registered ${user}`) ok();
      else fail(new Error(`${line}\n${l.stderr()}`));
    };
    l.lines.on("line", on);
    l.proc.stdin.write(`wait ${user}\n`);
  });
}

/** stopLab closes siplab's input, upon which it stops Kamailio and baresip and exits. */
async function stopLab(l: Lab): Promise<void> {
  if (l.proc.exitCode !== null || l.proc.signalCode !== null) return;
  const exited = new Promise<void>((r) => l.proc.once("exit", () => r()));
  l.proc.stdin.end();
  const t = setTimeout(() => l.proc.kill("SIGKILL"), 30_000);
  await exited;
  clearTimeout(t);
  expect(l.proc.exitCode, `siplab: ${l.stderr()}`).toBe(0);
}

/** addAccount saves user's account on a Pitchline (password to its keychain). */
async function addAccount(page: Page, server: Server, user: string) {
  const token = new URL(server.url).searchParams.get("token") ?? "";
  const res = await page.request.post(new URL("/api/AccountsService/Save", server.url).toString(), {
    headers: { "X-Pitchline-Token": token, "Content-Type": "application/json" },
    data: JSON.stringify([{ aor: `sip:${user}@${lab!.registrar}`, password: lab!.users[user] }]),
    timeout: 90_000,
  });
  expect(res.status(), await res.text()).toBe(200);
}

beforeAll(async () => {
  binary();
  browser = await launchBrowser();
  lab = await startLab();
  [rep, lead] = await Promise.all([startServe(undefined, [], { keyring: true }), startServe(undefined, [], { keyring: true })]);
  // Both Pitchlines register once, for both languages.
  const page = await (await browser.newContext()).newPage();
  await Promise.all([addAccount(page, rep, "alice"), addAccount(page, lead, "dave")]);
  await page.context().close();
  await Promise.all([waitRegistered(lab, "alice"), waitRegistered(lab, "dave")]);
});

afterAll(async () => {
  await browser?.close();
  await Promise.all([rep?.stop(), lead?.stop()]);
  if (lab) await stopLab(lab);
});

/** inView: l is within the 1024x700 window (the rep sees it without scrolling). */
async function inView(l: Locator, what: string) {
  const b = await box(l);
  expect(b.y, `${what}: above the window`).toBeGreaterThanOrEqual(0);
  expect(b.y + b.height, `${what}: below the window`).toBeLessThanOrEqual(700);
}

/** interruptions counts, from now on, every incoming-call pop and toast that appears in the page. */
async function watchInterruptions(page: Page) {
  await page.evaluate(() => {
    const w = window as unknown as { interruptions: string[] };
    w.interruptions = [];
    new MutationObserver((list) => {
      for (const m of list)
        for (const n of m.addedNodes)
          if (n instanceof Element)
            for (const el of [n, ...n.querySelectorAll(".incoming, .toast")])
              if (el.matches(".incoming, .toast")) w.interruptions.push(el.textContent ?? "");
    }).observe(document.body, { childList: true, subtree: true });
  });
}

function interruptions(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { interruptions: string[] }).interruptions);
}

/**
 * refusedMonitor: carol, no team lead, asks to listen with the CLI;
 * resolves with its exit code and output. A refused request ends at once
 * (exit 1, 403); one wrongly accepted hangs up after 3 s (exit 0).
 */
function refusedMonitor(): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((ok) => {
    execFile(binary(), ["call", "--sip-uri", `sip:carol@${lab!.registrar}`, "--password-env", "CAROL_PW", "--audio", "null",
      "--monitor", "listen", "--hangup-after", "3s", "--json", "alice"],
    { cwd: REPO, env: { ...process.env, CAROL_PW: lab!.users.carol }, timeout: 60_000 },
    (err, stdout, stderr) => ok({ code: err ? (typeof err.code === "number" ? err.code : -1) : 0, stdout, stderr }));
  });
}

/** step notes where the test is (vitest shows it with a failure's output). */
function step(what: string) {
  console.log(`${new Date().toISOString()} ${what}`);
}

const BANNER = {
  en: { listen: "is listening to this call", whisper: "is whispering to you", barge: "has barged in" },
  ja: { listen: "モニターしています", whisper: "ささやいています", barge: "割り込みました" },
};

for (const locale of ["en", "ja"] as const) {
  describe(`an inbound monitor request on the rep's window at 1024x700 (${locale})`, () => {
    it("refuses a non-lead without ringing, shows the lead listening, whispering, then barging in, and drops the banner when the lead leaves", async () => {
      const page = await openAt(browser, rep!, locale);
      onTestFailed(async () => {
        await page.screenshot({ path: join(shots, `${locale}-failed-rep.png`) }).catch(() => {});
        console.error(`rep's log:\n${rep!.log().slice(-6000)}\nlead's log:\n${lead!.log().slice(-3000)}\nsiplab:\n${lab!.stderr().slice(-3000)}`);
      });
      step("leads");
      // Settings -> Team leads: dave, as the rep would type him.
      const leads = page.locator("#set-leads");
      await leads.scrollIntoViewIfNeeded();
      await leads.fill("sip:dave@127.0.0.1");
      const saved = page.waitForResponse((r) => r.url().includes("/api/ConferenceService/SetLeads"));
      await page.locator('section[aria-labelledby="leads-title"] button[type=submit]').click();
      expect((await saved).status()).toBe(200);
      await page.locator('nav .tab[data-view="phone"]').click();

      step("dial");
      // The rep types the customer's SIP address into the dialpad, key by
      // key, and presses Enter: the address is dialled as typed.
      const address = `sip:${lab!.customer}@${lab!.registrar}`;
      const dialField = page.locator("input.dial-input");
      await dialField.click();
      await page.keyboard.type(address);
      await expect.poll(() => dialField.inputValue()).toBe(address);
      await page.keyboard.press("Enter");
      const panel = page.locator(".incall");
      await expect.poll(() => panel.getAttribute("data-state"), { timeout: 30_000 }).toBe("connected");
      const customer = await panel.getAttribute("data-call");

      step("carol");
      // carol is no team lead: refused like an unknown caller; nothing
      // rings or pops up in the rep's window.
      await watchInterruptions(page);
      const carol = await refusedMonitor();
      expect(carol.code, `carol's call: ${carol.stdout.slice(-2000)}\n${carol.stderr.slice(-2000)}`).toBe(1);
      expect(carol.stdout).toContain('"status":403');
      await expect.poll(() => rep!.log(), { timeout: 15_000 }).toMatch(/refused a monitor request.*sip:carol@127\.0\.0\.1/);

      step("dave listens");
      // dave, a lead, listens from his own window.
      const lp = await openAt(browser, lead!, locale);
      await lp.locator('nav .tab[data-view="phone"]').click();
      await lp.locator(".mon-start summary").click();
      await lp.locator(".mon-start input").fill(`sip:alice@${lab!.registrar}`);
      await lp.locator(".mon-start .mon-go").click();
      const lpanel = lp.locator(".incall");
      const mon = lpanel.locator(".mon");
      await mon.waitFor({ timeout: 30_000 });
      await expect.poll(() => lpanel.getAttribute("data-state"), { timeout: 30_000 }).toBe("connected");
      expect(await mon.getAttribute("data-role")).toBe("listen");

      step("banner");
      // The rep's banner names dave and says he is listening. Everything
      // carol's request caused reached the window before this (one ordered
      // event stream): still no pop-up, no toast, no third party.
      const banner = panel.locator(".lead-banner");
      await expect.poll(() => banner.getAttribute("data-role"), { timeout: 20_000 }).toBe("listen");
      expect(await banner.count()).toBe(1);
      expect(await banner.textContent()).toContain("dave");
      expect(await banner.textContent()).toContain(BANNER[locale].listen);
      expect(await interruptions(page), "carol's refused request interrupted the rep").toEqual([]);
      expect(await page.locator(".incoming").count()).toBe(0);
      expect(await panel.getAttribute("data-call")).toBe(customer);
      expect(await panel.getAttribute("data-state")).toBe("connected");
      expect(await panel.locator(".part").count(), "carol must not be a participant").toBeLessThanOrEqual(2);
      await inside(panel, banner, "banner", { vertical: true });
      await noClip(banner, "banner", { vertical: true });
      await inView(banner, "banner");
      await noSideScroll(page, "rep's window with the banner");
      await page.screenshot({ path: join(shots, `${locale}-1-rep-lead-listens.png`) });

      step("whisper");
      // dave whispers: the banner follows.
      const toWhisper = lp.waitForResponse((r) => r.url().includes("/api/ConferenceService/SetMonitorRole"));
      await mon.locator('.mon-role[data-role="whisper"]').click();
      expect((await toWhisper).status()).toBe(200);
      await expect.poll(() => banner.getAttribute("data-role"), { timeout: 20_000 }).toBe("whisper");
      expect(await banner.count()).toBe(1);
      expect(await banner.textContent()).toContain("dave");
      expect(await banner.textContent()).toContain(BANNER[locale].whisper);
      await inside(panel, banner, "banner", { vertical: true });
      await noClip(banner, "banner", { vertical: true });
      await inView(banner, "banner");
      await noSideScroll(page, "rep's window with the banner");
      await page.screenshot({ path: join(shots, `${locale}-2-rep-lead-whispers.png`) });
      await lp.screenshot({ path: join(shots, `${locale}-2-lead-whispers.png`) });

      step("barge");
      // dave barges in: everyone hears him; the banner says so.
      const toBarge = lp.waitForResponse((r) => r.url().includes("/api/ConferenceService/SetMonitorRole"));
      await mon.locator('.mon-role[data-role="barge"]').click();
      expect((await toBarge).status()).toBe(200);
      await expect.poll(() => banner.getAttribute("data-role"), { timeout: 20_000 }).toBe("barge");
      await expect.poll(() => mon.getAttribute("data-role"), { timeout: 20_000 }).toBe("barge");
      expect(await banner.count()).toBe(1);
      expect(await banner.textContent()).toContain("dave");
      expect(await banner.textContent()).toContain(BANNER[locale].barge);
      await inside(panel, banner, "banner", { vertical: true });
      await noClip(banner, "banner", { vertical: true });
      await noSideScroll(page, "rep's window with the banner");
      await page.screenshot({ path: join(shots, `${locale}-3-rep-lead-barges.png`) });

      step("leave");
      // dave leaves: the banner goes, the rep's call with bob goes on.
      await mon.locator(".mon-leave").click();
      await lpanel.waitFor({ state: "detached", timeout: 20_000 });
      await expect.poll(() => banner.count(), { timeout: 20_000 }).toBe(0);
      expect(await panel.getAttribute("data-call")).toBe(customer);
      expect(await panel.getAttribute("data-state")).toBe("connected");
      await page.screenshot({ path: join(shots, `${locale}-4-rep-lead-left.png`) });
      expect(await interruptions(page), "the lead's visit interrupted the rep").toEqual([]);

      await panel.locator(".controls .hangup").click();
      await panel.waitFor({ state: "detached", timeout: 20_000 });
      await dismissForms(page);
      await dismissForms(lp);
      await lp.context().close();
      await page.context().close();
    }, 240_000);
  });
}
