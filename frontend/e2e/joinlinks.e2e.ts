// Settings → Join links against the real backend (`pitchline serve`, demo
// line) at 1024x700, in English and Japanese: a key that is not the
// certificate's is refused with one sentence (details behind the toggle)
// and what was typed stays; the right key is saved with the keyboard; a
// join link made in a call (Alt+L) is then https:// on 127.0.0.1, and
// Chromium (ignoring that the test certificate is self-signed) joins over
// it: the rep's Pitchline hears the browser's tone and the browser receives
// audio. Only loopback is bound. Screenshots go to PITCHLINE_JOINLINKS_SHOTS
// (default: a temporary directory, printed).
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type Browser, type Page } from "playwright-core";
import { binary, CHROMIUM, openAt, startServe, type Server, screenshotDir, createJoinLink } from "./harness";

const shots = screenshotDir("PITCHLINE_JOINLINKS_SHOTS", "joinlinks", "join link settings");
const dir = mkdtempSync(join(tmpdir(), "pitchline-joinlinks-pki-"));
const cert = join(dir, "join.crt");
const key = join(dir, "join.key");
const otherKey = join(dir, "other.key");
const tone = join(dir, "tone.wav");
let browser: Browser;

/** toneWav is a 440 Hz tone (48 kHz mono PCM, 4 s; Chromium loops it) for the fake microphone. */
function toneWav(): Buffer {
  const rate = 48000;
  const n = rate * 4;
  const b = Buffer.alloc(44 + n * 2);
  b.write("RIFF", 0);
  b.writeUInt32LE(36 + n * 2, 4);
  b.write("WAVEfmt ", 8);
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20);
  b.writeUInt16LE(1, 22);
  b.writeUInt32LE(rate, 24);
  b.writeUInt32LE(rate * 2, 28);
  b.writeUInt16LE(2, 32);
  b.writeUInt16LE(16, 34);
  b.write("data", 36);
  b.writeUInt32LE(n * 2, 40);
  for (let i = 0; i < n; i++) b.writeInt16LE(Math.round(12000 * Math.sin((2 * Math.PI * 440 * i) / rate)), 44 + i * 2);
  return b;
}

beforeAll(async () => {
  binary();
  // A self-signed certificate for 127.0.0.1 and its key, and a second key
  // that does not belong to it.
  execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert], { stdio: "pipe" });
  execFileSync("openssl", ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", otherKey], { stdio: "pipe" });
  writeFileSync(tone, toneWav());
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--use-fake-ui-for-media-stream",
      "--use-fake-device-for-media-stream", `--use-file-for-fake-audio-capture=${tone}`,
      "--allow-loopback-in-peer-connection", "--autoplay-policy=no-user-gesture-required"],
  });
});

afterAll(async () => {
  await browser?.close();
});

const REFUSED = {
  en: "The key does not match the certificate. Choose the key that was made together with this certificate.",
  ja: "鍵が証明書と一致しません。この証明書と一緒に作られた鍵を選んでください。",
};
const SAVED = { en: "Saved. The next link uses these settings.", ja: "保存しました。次のリンクからこの設定を使います。" };

/** saveWithEnter submits the form from the key field with Enter and returns the HTTP status. */
async function saveWithEnter(page: Page): Promise<number> {
  const done = page.waitForResponse((r) => r.url().includes("/api/ConferenceService/SaveJoinLinkSettings"));
  await page.locator("#joinset-key").focus();
  await page.keyboard.press("Enter");
  return (await done).status();
}

type Stat = { type: string; kind?: string; packetsReceived?: number; packetsSent?: number; audioLevel?: number; totalAudioEnergy?: number };

for (const locale of ["en", "ja"] as const) {
  describe(`join link settings at 1024x700 (${locale})`, () => {
    let server: Server;
    beforeAll(async () => {
      server = await startServe();
    });
    afterAll(async () => {
      await server?.stop();
    });

    it("refuses a key that is not the certificate's, saves the right one, and a browser joins over https://", { timeout: 120_000 }, async () => {
      const page = await openAt(browser, server, locale);
      const section = page.locator('section[aria-labelledby="joinset-title"]');
      await section.scrollIntoViewIfNeeded();
      const sw = page.locator("#joinset-lan");
      expect(await sw.isChecked()).toBe(false);
      expect(await page.locator("#joinset-address").isDisabled()).toBe(true);

      // The switch works from the keyboard and enables the address; the
      // test turns it off again (it binds nothing but loopback).
      await sw.focus();
      await page.keyboard.press("Space");
      expect(await sw.isChecked()).toBe(true);
      expect(await page.locator("#joinset-address").isDisabled()).toBe(false);
      await section.scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(shots, `${locale}-0-settings-switch-on.png`) });
      await sw.focus();
      await page.keyboard.press("Space");
      expect(await sw.isChecked()).toBe(false);

      // A key that is not the certificate's: one sentence, details behind
      // the toggle, the paths stay as typed.
      await page.locator("#joinset-cert").fill(cert);
      await page.locator("#joinset-key").fill(otherKey);
      expect(await saveWithEnter(page)).not.toBe(200);
      const alert = section.locator('.error-note[data-code="join_key_mismatch"]');
      await alert.waitFor({ timeout: 10_000 });
      expect(await alert.locator(".error-text").textContent()).toBe(REFUSED[locale]);
      expect(await alert.locator(".error-detail").isHidden()).toBe(true);
      await alert.locator(".details-toggle").click();
      expect(await alert.locator(".error-detail").textContent()).toContain("does not belong to the certificate");
      expect(await page.locator("#joinset-key").inputValue()).toBe(otherKey);
      expect(await page.locator("#joinset-cert").inputValue()).toBe(cert);
      await section.scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(shots, `${locale}-1-settings-refused.png`) });
      const w = await page.evaluate(() => document.documentElement.scrollWidth);
      expect(w).toBeLessThanOrEqual(1024);

      // The right key, saved with Enter: a status says so and the
      // certificate is described.
      await page.locator("#joinset-key").fill(key);
      expect(await saveWithEnter(page)).toBe(200);
      const ok = section.locator(".ok[role=status]");
      await ok.waitFor({ timeout: 10_000 });
      expect(await ok.textContent()).toBe(SAVED[locale]);
      expect(await section.locator(".error-note").count()).toBe(0);
      await section.locator(".cert-info").waitFor();
      expect(await section.locator(".example").textContent()).toContain("https://127.0.0.1:");
      await section.scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(shots, `${locale}-2-settings-saved.png`) });

      // A call, then a join link (Alt+L): https:// on 127.0.0.1.
      await page.locator('nav .tab[data-view="phone"]').click();
      const panel = page.locator(".incall");
      await page.locator('.demo-numbers li[data-behaviour="answer"] .demo-number').first().click();
      await expect.poll(() => panel.getAttribute("data-state"), { timeout: 20_000 }).toBe("connected");
      const { url } = await createJoinLink(page, panel);
      expect(url).toMatch(new RegExp(`^https://127\\.0\\.0\\.1:\\d+/join/[A-Za-z0-9_-]{43}\\?lang=${locale}$`));
      await page.screenshot({ path: join(shots, `${locale}-3-https-link.png`) });

      // Chromium joins over HTTPS (the certificate is self-signed: the
      // guest's context ignores that, as a user who trusts it would).
      const guestCtx = await browser.newContext({ locale: "en-US", ignoreHTTPSErrors: true });
      const guest = await guestCtx.newPage();
      await guest.goto(url);
      expect(new URL(guest.url()).protocol).toBe("https:");
      expect(await guest.evaluate(() => window.isSecureContext)).toBe(true);
      await expect.poll(() => guest.evaluate(() => (window as unknown as { pitchlineJoin: { state: string } }).pitchlineJoin.state), { timeout: 30_000 }).toBe("connected");
      const parts = panel.locator(".part");
      await expect.poll(() => parts.count(), { timeout: 20_000 }).toBe(2);
      // Pitchline hears the browser's tone (the participant talks)...
      await expect.poll(() => parts.nth(1).getAttribute("data-talking"), { timeout: 20_000 }).toBe("true");
      // ...and the browser receives audio (the demo line echoes the mix).
      const stats = () => guest.evaluate(async () => {
        const pc = (window as unknown as { pitchlineJoin: { pc: RTCPeerConnection } }).pitchlineJoin.pc;
        const out: Stat[] = [];
        (await pc.getStats()).forEach((s: Stat) => out.push(s));
        return out;
      });
      await expect.poll(async () => (await stats()).some((s) => s.type === "inbound-rtp" && s.kind === "audio" && (s.packetsReceived ?? 0) > 50), { timeout: 20_000 }).toBe(true);
      await expect.poll(async () => (await stats()).some((s) => s.type === "inbound-rtp" && s.kind === "audio" && (s.totalAudioEnergy ?? 0) > 0), { timeout: 20_000 }).toBe(true);
      // The browser's own sending, counted by its stats (read when they
      // reach 50 packets: Pitchline may hear it talk before that).
      await expect.poll(async () => (await stats()).some((s) => s.type === "outbound-rtp" && s.kind === "audio" && (s.packetsSent ?? 0) > 50), { timeout: 20_000 }).toBe(true);
      await page.screenshot({ path: join(shots, `${locale}-4-browser-joined-https.png`) });
      await guestCtx.close();
      await page.context().close();
    });
  });
}
