// End-to-end: calls logged with the real CLI (`pitchline calls log`) show
// up in the Reports view of `pitchline serve` (chart summary and data
// table), and the CSV exports download with the same numbers.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { binary, launchBrowser, newDataDir, openApp, REPO, startServe, type Server } from "./harness";

let browser: Browser;
let server: Server;

/** localDate is d's calendar date in this machine's zone (the browser's too). */
const localDate = (d: Date) =>
  `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;

const now = new Date();
const today = new Date(now.getFullYear(), now.getMonth(), now.getDate(), 10, 0);
const yesterday = new Date(now.getFullYear(), now.getMonth(), now.getDate() - 1, 11, 30);

function logCall(dataDir: string, args: string[]) {
  execFileSync(binary(), ["calls", "log", "--data-dir", dataDir, ...args], { cwd: REPO, timeout: 30_000 });
}

beforeAll(async () => {
  const dataDir = newDataDir();
  // Today: one answered outbound call (90 s, Connected), one unanswered
  // (No answer). Yesterday: one answered inbound call (45 s, Meeting booked).
  logCall(dataDir, ["--to", "+15550100199", "--direction", "outbound", "--started", today.toISOString(),
    "--duration", "90s", "--status", "completed", "--outcome", "Connected", "--notes", "=HYPERLINK(\"x\")"]);
  logCall(dataDir, ["--to", "+15550100123", "--direction", "outbound", "--started", new Date(today.getTime() + 3_600_000).toISOString(),
    "--duration", "0s", "--status", "no_answer", "--outcome", "No answer"]);
  logCall(dataDir, ["--to", "+15550100001", "--from", "+15550100177", "--direction", "inbound", "--started", yesterday.toISOString(),
    "--duration", "45s", "--status", "completed", "--outcome", "Meeting booked"]);
  browser = await launchBrowser();
  server = await startServe(dataDir);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function cells(page: Page, date: string): Promise<string[]> {
  const row = page.locator(`table[data-table="daily"] tbody tr[data-date="${date}"]`);
  await row.waitFor({ state: "attached" });
  return row.locator("th, td").allTextContents();
}

async function downloadText(page: Page, button: string): Promise<string> {
  const [dl] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: button, exact: true }).click()]);
  const path = await dl.path();
  expect(path).toBeTruthy();
  return readFileSync(path!, "utf8");
}

describe("Reports", () => {
  it("charts the logged calls, and the data table and CSV exports agree", async () => {
    const page = await openApp(browser, server);
    await page.locator('nav button[data-view="reports"]').click();
    const chart = page.getByRole("img", { name: /3 calls from/ });
    await chart.waitFor();
    expect(await chart.getAttribute("aria-label")).toContain("Connected: 1, No answer: 1, and Meeting booked: 1");
    expect(await page.locator('[data-total="calls"]').textContent()).toBe("3");
    expect(await page.locator('[data-total="connectRate"]').textContent()).toBe("50%");
    expect(await page.locator('[data-total="talk"]').textContent()).toBe("2:15");
    await page.getByRole("img", { name: "Overall connect rate 50%: 1 of 2 outbound calls answered." }).waitFor();

    // Columns: date, calls, Connected, No answer, Meeting booked, outgoing,
    // answered outgoing, connect rate, talk time, average.
    const t = await cells(page, localDate(today));
    expect(t.slice(1)).toEqual(["2", "1", "1", "0", "2", "1", "50%", "1:30", "1:30"]);
    const y = await cells(page, localDate(yesterday));
    expect(y.slice(1)).toEqual(["1", "0", "0", "1", "0", "0", "—", "0:45", "0:45"]);
    expect(await page.locator('table[data-table="daily"] tbody tr').count()).toBe(7);

    // Outgoing only: yesterday's inbound call drops out.
    await page.getByRole("radio", { name: "Outgoing" }).check();
    await page.getByRole("img", { name: /2 calls from/ }).waitFor();
    await page.getByRole("radio", { name: "All" }).check();
    await page.getByRole("img", { name: /3 calls from/ }).waitFor();

    const daily = (await downloadText(page, "Daily report")).trim().split(/\r?\n/);
    expect(daily[0]).toBe("date,calls,inbound,outbound,missed,answered,connected,connect_rate,talk_seconds,avg_talk_seconds," +
      "outcome:Connected,outcome:No answer,outcome:Meeting booked");
    expect(daily).toContain(`${localDate(today)},2,0,2,0,1,1,0.5000,90,90,1,1,0`);
    expect(daily).toContain(`${localDate(yesterday)},1,1,0,0,1,0,,45,45,0,0,1`);
    expect(daily.at(-1)).toBe("total,3,1,2,0,2,1,0.5000,135,67.5,1,1,1");
    expect(daily).toHaveLength(1 + 7 + 1);
    await page.getByText(/^Downloaded pitchline-report-daily-.*\.csv$/).waitFor();

    const accounts = (await downloadText(page, "Calls by account")).trim().split(/\r?\n/);
    expect(accounts).toEqual(["account,calls,inbound,outbound,missed,answered,connected,connect_rate,talk_seconds,avg_talk_seconds",
      ",3,1,2,0,2,1,0.5000,135,67.5"]);

    // The call history, outgoing only: two rows; the notes formula is defused.
    await page.getByLabel("Calls in the history export").selectOption("outbound");
    const history = (await downloadText(page, "Call history")).trim().split(/\r?\n/);
    expect(history[0].startsWith("id,direction,from,to,account,started")).toBe(true);
    expect(history).toHaveLength(3);
    expect(history.every((l, i) => i === 0 || l.split(",")[1] === "outbound")).toBe(true);
    expect(history.join("\n")).toContain(`"'=HYPERLINK(""x"")"`);
    await page.context().close();
  });
});
