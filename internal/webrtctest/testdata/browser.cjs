// Drives Debian's /usr/bin/chromium through playwright-core for
// internal/webrtctest: opens a join link with a fake microphone playing a
// WAV file, and reports over stdout, one line per event:
//   CONNECTED            the page says the participant is in the call
//   STATS {json}         inbound-rtp has packets and an audioLevel of at least
//                        MIN_LEVEL (silence from Opus reads about 3e-5)
//   LEFT                 after "LEAVE" on stdin: Leave clicked, page says left
//   CLOSED               after "CLOSE" on stdin: the tab was closed (no Leave)
//   REVISIT {json}       the same link opened again (status and text)
//   ERROR message        anything went wrong (then exit 1)
// WEBRTCTEST_SCREENSHOT=/path/x.png saves the page at each step (x.png,
// x-left.png, x-used.png).
// usage: node browser.cjs PLAYWRIGHT_CORE_DIR CHROMIUM URL WAV PROFILE_DIR MIN_LEVEL
"use strict";
const [pwDir, chromiumPath, url, wav, profile, minLevel] = process.argv.slice(2);
const { chromium } = require(pwDir);
const readline = require("node:readline");

const T = 60000; // generous: only bounds waiting for events
const rl = readline.createInterface({ input: process.stdin });
const lines = [];
let waiter = null;
rl.on("line", (l) => { lines.push(l); if (waiter) waiter(); });
function nextLine() {
  return new Promise((resolve) => {
    const take = () => { if (lines.length) { waiter = null; resolve(lines.shift()); return true; } return false; };
    if (!take()) waiter = take;
  });
}

(async () => {
  let ctx;
  try {
    ctx = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath, headless: true, timeout: T,
      args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
        "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
        `--use-file-for-fake-audio-capture=${wav}`,
        "--autoplay-policy=no-user-gesture-required",
        "--allow-loopback-in-peer-connection"],
    });
    const page = ctx.pages()[0] || (await ctx.newPage());
    page.on("console", (m) => process.stderr.write("[page] " + m.text() + "\n"));
    const resp = await page.goto(url, { timeout: T });
    if (resp.status() !== 200) throw new Error("join page status " + resp.status());
    await page.waitForFunction(() => {
      const s = window.pitchlineJoin && window.pitchlineJoin.state;
      if (["no-microphone", "link-gone", "refused", "error", "failed"].includes(s)) throw new Error("page state " + s);
      return s === "connected";
    }, null, { timeout: T, polling: 100 });
    console.log("CONNECTED " + JSON.stringify(await page.textContent("#status")));
    if (process.env.WEBRTCTEST_SCREENSHOT) await page.screenshot({ path: process.env.WEBRTCTEST_SCREENSHOT });
    // getStats is asynchronous and fires no event when audio arrives:
    // poll it (waitForFunction does not await an async predicate).
    const deadline = Date.now() + T;
    let stats = null;
    while (!stats) {
      stats = await page.evaluate(async (min) => {
        const r = await window.pitchlineJoin.pc.getStats();
        let out = null;
        r.forEach((s) => {
          if (s.type === "inbound-rtp" && s.kind === "audio" && s.packetsReceived > 0 && s.audioLevel >= min)
            out = { packetsReceived: s.packetsReceived, audioLevel: s.audioLevel, packetsLost: s.packetsLost,
              codec: (r.get(s.codecId) || {}).mimeType };
        });
        return out;
      }, Number(minLevel));
      if (stats) break;
      if (Date.now() > deadline) throw new Error("no inbound audio at level >= " + minLevel + " within " + T + " ms");
      await page.waitForTimeout(200);
    }
    console.log("STATS " + JSON.stringify(stats));
    const cmd = await nextLine();
    if (cmd === "CLOSE") {
      await page.close({ runBeforeUnload: false });
      console.log("CLOSED");
      await nextLine(); // "QUIT": the Go side has seen the hang-up
      await ctx.close();
      process.exit(0);
    }
    if (cmd !== "LEAVE") throw new Error("unexpected command " + cmd);
    await page.click("#leave");
    await page.waitForFunction(() => window.pitchlineJoin.state === "left", null, { timeout: T, polling: 100 });
    console.log("LEFT");
    if (process.env.WEBRTCTEST_SCREENSHOT) await page.screenshot({ path: process.env.WEBRTCTEST_SCREENSHOT.replace(/\.png$/, "-left.png") });
    const again = await page.goto(url, { timeout: T });
    if (process.env.WEBRTCTEST_SCREENSHOT) await page.screenshot({ path: process.env.WEBRTCTEST_SCREENSHOT.replace(/\.png$/, "-used.png") });
    console.log("REVISIT " + JSON.stringify({ status: again.status(), text: await page.textContent("#status") }));
    await ctx.close();
    process.exit(0);
  } catch (e) {
    console.log("ERROR " + String(e && e.stack || e).replace(/\n/g, " | "));
    if (ctx) await ctx.close().catch(() => {});
    process.exit(1);
  }
})();
