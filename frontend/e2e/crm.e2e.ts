// CRM end to end: the real `pitchline serve` on the demo line, a HubSpot
// fake in its own process (internal/cmd/crmfake), and the CRM token typed
// into the UI and stored in a real gnome-keyring on a private D-Bus. A call
// ends, the outcome form appears, the rep logs it, and the fake ends up
// holding the call (disposition GUID, notes, direction, duration, external
// id) associated with the contact and the deal, plus the follow-up task.
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { binary, launchBrowser, openApp, REPO, startServe, type Server } from "./harness";

const TOKEN = "e2e-hubspot-token-7f3a";
/** The fake's custom "Demo booked" disposition (hubspotfake.DefaultDispositions). */
const DEMO_BOOKED = "5c1f7bd0-3a0e-4d1e-9d5c-7c1c0e5b1a11";

let browser: Browser;
let server: Server;
let fake: ChildProcessWithoutNullStreams;
let fakeURL = "";

interface FakeObject {
  Type: string; ID: string; Properties: Record<string, string>
  Associations: { ToType: string; ToID: string; TypeID: number }[] | null
}

/** startFake builds and runs internal/cmd/crmfake and resolves with its URL. */
async function startFake(): Promise<string> {
  const bin = join(mkdtempSync(join(tmpdir(), "pitchline-crmfake-")), "crmfake");
  execFileSync("go", ["build", "-o", bin, "./internal/cmd/crmfake"], { cwd: REPO, stdio: "inherit" });
  fake = spawn(bin, ["-seed", "-token", TOKEN], { cwd: REPO });
  let stderr = "";
  fake.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    createInterface({ input: fake.stdout }).once("line", (l) => resolve(l.trim()));
    fake.once("exit", (code) => reject(new Error(`crmfake exited with ${code}: ${stderr}`)));
  });
}

async function fakeList(kind: "calls" | "tasks"): Promise<FakeObject[]> {
  const r = await fetch(`${fakeURL}/_fake/${kind}`);
  expect(r.status).toBe(200);
  return (await r.json()) as FakeObject[];
}

/** apiOK waits for the next successful call of Service/Method. */
function apiOK(page: Page, path: string) {
  const p = page.waitForResponse((r) => r.url().includes(`/api/${path}`) && r.request().method() === "POST").then((r) => {
    expect(r.status(), `${path} status`).toBe(200);
    return r;
  });
  p.catch(() => {});
  return p;
}

/** filesUnder lists every file below dir. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

beforeAll(async () => {
  binary();
  fakeURL = await startFake();
  browser = await launchBrowser();
  server = await startServe(undefined, [], { keyring: true });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  fake?.stdin.end(); // crmfake exits when its standard input closes
});

describe("CRM: outcome form and HubSpot sync", () => {
  it("connects HubSpot through the UI (token in the keychain), logs a call with outcome, note and task, and the fake holds it", async () => {
    const page = await openApp(browser, server);
    await page.getByRole("button", { name: "Settings" }).click();
    const crm = page.locator(".crm-settings");
    await crm.locator('select[name="vendor"]').selectOption("hubspot");
    await crm.getByLabel("API base URL (optional)").fill(fakeURL);
    await crm.getByLabel("API token").fill(TOKEN);
    const connected = apiOK(page, "CrmService/Connect");
    await crm.getByRole("button", { name: "Connect CRM" }).click();
    await connected;
    await crm.locator(".crm-connected").waitFor();
    // The first pull brings the company, the contact and the deal.
    await expect.poll(async () => Number(await crm.locator(".crm-last-pull").getAttribute("data-count")), { timeout: 30_000 }).toBeGreaterThanOrEqual(3);

    // Map "Meeting booked" to the CRM's "Demo booked" disposition, read
    // from GET /calling/v1/dispositions.
    const map = page.getByLabel("CRM value for Meeting booked");
    await expect.poll(() => map.locator("option").count(), { timeout: 15_000 }).toBeGreaterThan(1);
    const mapped = apiOK(page, "OutcomesService/SetMapping");
    await map.selectOption({ label: "Demo booked" });
    await mapped;

    // The token is nowhere in Pitchline's files (only in the keychain).
    for (const f of filesUnder(server.dataDir)) expect(readFileSync(f).includes(TOKEN), f).toBe(false);

    // A call to the HubSpot contact: the card shows the pulled contact.
    await page.getByRole("button", { name: "Phone" }).click();
    await page.getByLabel("Number to call").fill("+15550100166");
    await page.getByLabel("Number to call").press("Enter");
    const panel = page.locator('.incall[data-state="connected"]');
    await panel.waitFor({ timeout: 20_000 });
    const callId = (await panel.getAttribute("data-call")) ?? "";
    expect((await panel.locator(".caller-name").textContent())?.trim()).toBe("Olivia Grant");
    await page.getByLabel("Call notes").fill("e2e: wants a demo for 20 seats");
    await page.getByRole("button", { name: "Hang up" }).click();

    // The form appears, prefilled with the call's notes.
    const form = page.locator(`.outcome-form[data-call="${callId}"]`);
    await form.waitFor({ timeout: 15_000 });
    expect(await form.getByRole("heading").textContent()).toBe("Log the call with Olivia Grant");
    await expect.poll(() => form.getByLabel("Notes").inputValue()).toBe("e2e: wants a demo for 20 seats");
    await form.getByLabel("Outcome").selectOption({ label: "Meeting booked" });
    await form.getByLabel("Notes").fill("e2e: wants a demo for 20 seats; send pricing");
    const deal = form.getByLabel("Topic / deal");
    expect(await deal.locator("option").nth(1).textContent()).toContain("Grant rollout");
    await deal.selectOption({ index: 1 });
    await form.getByLabel("Add a follow-up task").check();
    await form.getByLabel("Task title").fill("Send the pricing sheet");
    await form.locator('input[name="dueDate"]').fill("2031-05-06");
    await form.locator('input[name="dueTime"]').fill("10:30");
    await form.locator('select[name="reminder"]').selectOption({ label: "15 minutes before" });
    const saved = apiOK(page, "FormsService/Save");
    await form.getByRole("button", { name: "Log call" }).click();
    await saved;
    await form.waitFor({ state: "detached" });

    // The HubSpot fake holds the call, once, with the right properties and associations.
    await expect.poll(async () => (await fakeList("calls")).length, { timeout: 30_000 }).toBe(1);
    const [call] = await fakeList("calls");
    expect(call.Properties.hs_call_external_id).toBe(callId);
    expect(call.Properties.hs_call_disposition).toBe(DEMO_BOOKED);
    expect(call.Properties.hs_call_body).toBe("e2e: wants a demo for 20 seats; send pricing");
    expect(call.Properties.hs_call_direction).toBe("OUTBOUND");
    expect(Number(call.Properties.hs_call_duration)).toBeGreaterThan(0);
    expect(call.Properties.hs_call_to_number).toBe("+15550100166");
    const contacts = await (await fetch(`${fakeURL}/crm/v3/objects/contacts?properties=phone`, { headers: { Authorization: `Bearer ${TOKEN}` } })).json();
    const contactId = contacts.results[0].id as string;
    const to = (t: string) => (call.Associations ?? []).filter((a) => a.ToType === t).map((a) => a.ToID);
    expect(to("contacts")).toEqual([contactId]);
    expect(to("deals").length).toBe(1);
    await expect.poll(async () => (await fakeList("tasks")).length, { timeout: 30_000 }).toBe(1);
    const [task] = await fakeList("tasks");
    expect(task.Properties.hs_task_subject).toBe("Send the pricing sheet");
    expect((task.Associations ?? []).some((a) => a.ToType === "contacts" && a.ToID === contactId)).toBe(true);

    // History shows the call synced.
    await page.getByRole("button", { name: "History" }).click();
    const row = page.locator(`.history .history-list li[data-entry="${callId}"]`);
    await expect.poll(() => row.locator(".h-sync").getAttribute("data-sync"), { timeout: 15_000 }).toBe("synced");
    await page.context().close();
  });

  it("“Require an outcome” blocks dismissing the form", async () => {
    const page = await openApp(browser, server);
    await page.getByRole("button", { name: "Settings" }).click();
    const req = page.getByLabel("Require an outcome after every call");
    const set = apiOK(page, "FormsService/SetRequireOutcome");
    await req.check();
    await set;
    await page.getByRole("button", { name: "Phone" }).click();
    await page.getByLabel("Number to call").fill("486"); // the demo line's busy number
    await page.getByLabel("Number to call").press("Enter");
    const form = page.locator(".outcome-form").first();
    await form.waitFor({ timeout: 20_000 });
    const refused = page.waitForResponse((r) => r.url().includes("/api/FormsService/Dismiss"));
    await form.getByRole("button", { name: "Dismiss form" }).click();
    const res = await refused;
    expect(res.status()).not.toBe(200);
    expect((await res.json()).code).toBe("outcome_required");
    expect(await form.getByRole("alert").textContent()).toBe("Choose an outcome first: an outcome is required for every call (Settings).");
    expect(await form.isVisible()).toBe(true);
    // After a reload the form is still there (pending forms are in the snapshot).
    await page.reload();
    await page.locator("main.content").waitFor();
    const again = page.locator(".outcome-form").first();
    await again.waitFor();
    await again.getByLabel("Outcome").selectOption({ label: "Busy" });
    const saved = apiOK(page, "FormsService/Save");
    await again.getByRole("button", { name: "Log call" }).click();
    await saved;
    await expect.poll(() => page.locator(".outcome-form").count()).toBe(0);
    // Back off for the other tests.
    await page.getByRole("button", { name: "Settings" }).click();
    const unset = apiOK(page, "FormsService/SetRequireOutcome");
    await page.getByLabel("Require an outcome after every call").uncheck();
    await unset;
    await page.context().close();
  });

  it("the demo callback from a known number shows name, company and deal; a missed call gets no form", async () => {
    const page = await openApp(browser, server);
    const btn = page.locator('.demo-numbers li[data-behaviour="callback"] .demo-number').first();
    const number = (await btn.getAttribute("data-number")) ?? "";
    await page.getByRole("button", { name: `Call demo number ${number}` }).click();
    const pop = page.getByRole("alertdialog");
    await pop.waitFor({ timeout: 45_000 });
    expect((await pop.locator(".caller-name").textContent())?.trim()).toBe("Margaret Lee");
    expect((await pop.locator(".caller-company").textContent())?.trim()).toBe("Marcom");
    expect(await pop.locator(".caller-deal").textContent()).toContain("Marcom renewal");
    await pop.getByRole("button", { name: "Ignore" }).click();
    await pop.waitFor({ state: "detached", timeout: 15_000 });
    // The outbound call to the callback number gets a form; the ignored
    // (missed) callback does not.
    await page.locator(".outcome-form").first().waitFor({ timeout: 15_000 });
    await page.locator(".recent .history-list li.h-missed").first().waitFor({ timeout: 15_000 });
    const pending = await page.evaluate(async () => {
      const r = await fetch("/api/FormsService/Pending", { method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json" }, body: "[]" });
      return (await r.json()) as { pending: { callId: string }[] };
    });
    const forms = pending.pending.map((f) => f.callId);
    expect(forms.length).toBeGreaterThan(0);
    const missed = await page.locator(".recent .history-list li.h-missed").first().getAttribute("data-entry");
    expect(forms).not.toContain(missed);
    expect(await page.locator(".outcome-form h2").first().textContent()).not.toContain("Margaret Lee");
    const dismissed = apiOK(page, "FormsService/Dismiss");
    await page.locator(".outcome-form").first().getByRole("button", { name: "Dismiss form" }).click();
    await dismissed;
    await page.context().close();
  });
});
