import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import ReportsView from "./ReportsView.svelte";
import { Backend, type Transport } from "../lib/backend";
import type { ExportRequest, ReportQuery, ReportStats, ReportView } from "../lib/contract";
import { setLocale } from "../lib/i18n/index.svelte";
import { niceMax, presetRange, stack } from "../lib/reports";

const stats = (p: Partial<ReportStats> = {}): ReportStats => ({
  calls: 0, inbound: 0, outbound: 0, answered: 0, missed: 0, connected: 0, connectRate: null, talkMs: 0, avgTalkMs: 0, ...p,
});

/** A 3-day report: 4 + 0 + 2 calls, outcomes Connected, Meeting booked (deleted) and none. */
function sample(q: ReportQuery): ReportView {
  return {
    from: q.from, to: q.to, timeZone: q.timeZone,
    outcomes: [
      { id: 1, label: "Connected", deleted: false, calls: 3 },
      { id: 8, label: "Meeting booked", deleted: true, calls: 1 },
      { id: 0, label: "", deleted: false, calls: 2 },
    ],
    days: [
      { date: "2025-03-08", stats: stats({ calls: 4, outbound: 4, connected: 3, answered: 3, connectRate: 0.75, talkMs: 180_000, avgTalkMs: 60_000 }), byOutcome: [2, 1, 1] },
      { date: "2025-03-09", stats: stats(), byOutcome: [0, 0, 0] },
      { date: "2025-03-10", stats: stats({ calls: 2, inbound: 2, answered: 1, missed: 1, talkMs: 65_000, avgTalkMs: 65_000 }), byOutcome: [1, 0, 1] },
    ],
    total: stats({ calls: 6, inbound: 2, outbound: 4, answered: 4, missed: 1, connected: 3, connectRate: 0.75, talkMs: 245_000, avgTalkMs: 61_250 }),
    accounts: [
      { account: "sip:alice@pbx.example", stats: stats({ calls: 5, outbound: 4, inbound: 1, connectRate: 0.75, talkMs: 200_000 }) },
      { account: "", stats: stats({ calls: 1, inbound: 1, missed: 1 }) },
    ],
  };
}

function fakeBackend(kind: "http" | "wails", fail?: string) {
  const calls: { method: string; args: unknown[] }[] = [];
  const transport: Transport = {
    kind,
    async call(service, method, args) {
      expect(service).toBe("ReportsService");
      calls.push({ method, args });
      if (fail) throw { code: "invalid_argument", message: fail };
      if (method === "Report") return sample(args[0] as ReportQuery);
      if (method === "ExportCSV") return { name: "pitchline-report-daily.csv", content: "date,calls\r\n2025-03-08,4\r\n" };
      if (method === "SaveCSV") return "/home/rep/report.csv";
      throw new Error("unexpected " + method);
    },
    on: () => () => {},
    ready() {},
  };
  return { backend: new Backend(transport), calls };
}

const today = () => new Date(2025, 2, 10, 15, 0); // 10 March 2025, local

describe("ReportsView", () => {
  beforeEach(() => setLocale("en"));
  afterEach(() => vi.restoreAllMocks());

  it("asks for the last 7 days in the UI's time zone and draws the report with data tables", async () => {
    const { backend, calls } = fakeBackend("http");
    render(ReportsView, { props: { backend, today } });
    await screen.findByRole("img", { name: /6 calls from/ });
    const q = calls[0].args[0] as ReportQuery;
    expect(q).toMatchObject({ from: "2025-03-04", to: "2025-03-10", direction: "", account: "" });
    expect(q.timeZone).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);

    expect(document.querySelector('[data-total="calls"]')?.textContent).toBe("6");
    expect(document.querySelector('[data-total="connectRate"]')?.textContent).toBe("75%");
    expect(document.querySelector('[data-total="talk"]')?.textContent).toBe("4:05");
    // Stacked bars: one rect per non-zero (day, outcome).
    expect(document.querySelectorAll('svg[data-chart="outcomes"] rect')).toHaveLength(5);
    const outcomes = screen.getByRole("img", { name: /6 calls from/ });
    expect(outcomes.getAttribute("aria-label")).toContain("busiest day Mar 8 with 4 calls");
    expect(outcomes.getAttribute("aria-label")).toContain("Meeting booked (deleted): 1");
    expect(outcomes.getAttribute("aria-label")).toContain("No outcome: 2");
    // Connect rate: bars only on days with outbound calls, plus the overall line.
    expect(document.querySelectorAll('svg[data-chart="connect"] rect')).toHaveLength(1);
    expect(document.querySelector('svg[data-chart="connect"] line')).not.toBeNull();
    screen.getByRole("img", { name: "Overall connect rate 75%: 3 of 4 outbound calls answered." });
    screen.getByRole("img", { name: /Total talk time 4:05, average 1:01 per answered call; longest day Mar 8 with 3:00/ });
    screen.getByRole("img", { name: /2 accounts\. sip:alice@pbx\.example: 5 and No account: 1/ });

    const rows = [...document.querySelectorAll('table[data-table="daily"] tbody tr')].map((tr) =>
      [...tr.children].map((c) => c.textContent),
    );
    expect(rows).toEqual([
      ["Mar 8", "4", "2", "1", "1", "4", "3", "75%", "3:00", "1:00"],
      ["Mar 9", "0", "0", "0", "0", "0", "0", "—", "0:00", "0:00"],
      ["Mar 10", "2", "1", "0", "1", "0", "0", "—", "1:05", "1:05"],
    ]);
    const head = [...document.querySelectorAll('table[data-table="daily"] thead th')].map((c) => c.textContent);
    expect(head.slice(2, 5)).toEqual(["Connected", "Meeting booked (deleted)", "No outcome"]);
    const acct = [...document.querySelectorAll('table[data-table="accounts"] tbody th')].map((c) => c.textContent);
    expect(acct).toEqual(["sip:alice@pbx.example", "No account"]);
  });

  it("reloads for 30 days, outgoing calls and a custom range", async () => {
    const { backend, calls } = fakeBackend("http");
    render(ReportsView, { props: { backend, today } });
    await screen.findByRole("img", { name: /6 calls/ });
    await fireEvent.click(screen.getByLabelText("Last 30 days"));
    await waitFor(() => expect(calls.at(-1)!.args[0]).toMatchObject({ from: "2025-02-09", to: "2025-03-10" }));
    await fireEvent.click(screen.getByLabelText("Outgoing"));
    await waitFor(() => expect(calls.at(-1)!.args[0]).toMatchObject({ from: "2025-02-09", direction: "outbound" }));
    await fireEvent.click(screen.getByLabelText("Custom"));
    const from = screen.getByLabelText("First day") as HTMLInputElement;
    expect(from.value).toBe("2025-02-09"); // starts from the range shown
    await fireEvent.input(from, { target: { value: "2025-01-01" } });
    await waitFor(() => expect(calls.at(-1)!.args[0]).toMatchObject({ from: "2025-01-01", to: "2025-03-10", direction: "outbound" }));
  });

  it("downloads CSV in the browser", async () => {
    const { backend, calls } = fakeBackend("http");
    const url = vi.fn(() => "blob:x");
    Object.assign(URL, { createObjectURL: url, revokeObjectURL: vi.fn() });
    const click = vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function (this: HTMLAnchorElement) {
      expect(this.download).toBe("pitchline-report-daily.csv");
      expect(this.href).toBe("blob:x");
    });
    render(ReportsView, { props: { backend, today } });
    await screen.findByRole("img", { name: /6 calls/ });
    await fireEvent.click(screen.getByRole("button", { name: "Daily report" }));
    await screen.findByText("Downloaded pitchline-report-daily.csv");
    expect(click).toHaveBeenCalledTimes(1);
    const req = calls.find((c) => c.method === "ExportCSV")!.args[0] as ExportRequest;
    expect(req.table).toBe("daily");
    expect(req.report).toMatchObject({ from: "2025-03-04", to: "2025-03-10" });
  });

  it("uses the save dialog in the desktop window; history export of missed calls", async () => {
    const { backend, calls } = fakeBackend("wails");
    render(ReportsView, { props: { backend, today } });
    await screen.findByRole("img", { name: /6 calls/ });
    const which = screen.getByLabelText("Calls in the history export") as HTMLSelectElement;
    for (const o of which.options) o.selected = o.value === "missed";
    await fireEvent.change(which);
    await fireEvent.click(screen.getByRole("button", { name: "Call history" }));
    await screen.findByText("Saved /home/rep/report.csv");
    const req = calls.find((c) => c.method === "SaveCSV")!.args[0] as ExportRequest;
    expect(req).toMatchObject({ table: "history", title: "Save CSV file",
      history: { direction: "inbound", missed: true, since: "2025-03-04", until: "2025-03-10", limit: 0 } });
  });

  it("shows the backend's error", async () => {
    const { backend } = fakeBackend("http", "a report covers at most 366 days");
    render(ReportsView, { props: { backend, today } });
    expect((await screen.findByRole("alert")).textContent?.trim()).toBe("The report could not be loaded: a report covers at most 366 days");
  });

  it("speaks Japanese", async () => {
    setLocale("ja");
    const { backend } = fakeBackend("http");
    render(ReportsView, { props: { backend, today } });
    const img = await screen.findByRole("img", { name: /通話6件/ });
    expect(img.getAttribute("aria-label")).toContain("結果なし:2");
    screen.getByRole("heading", { name: "日別・結果別の通話数" });
    screen.getByRole("button", { name: "日別レポート" });
  });
});

describe("report helpers", () => {
  it("presetRange counts today as the last day", () => {
    expect(presetRange(7, today())).toEqual({ from: "2025-03-04", to: "2025-03-10" });
    expect(presetRange(90, today())).toEqual({ from: "2024-12-11", to: "2025-03-10" });
  });
  it("stack builds bars bottom-up and skips empty outcomes", () => {
    const s = stack({ date: "2025-03-08", stats: stats(), byOutcome: [2, 0, 1] }, 4, 100);
    expect(s).toEqual([{ series: 0, count: 2, y: 50, h: 50 }, { series: 2, count: 1, y: 25, h: 25 }]);
    expect(stack({ date: "x", stats: stats(), byOutcome: [1] }, 0, 100)).toEqual([]);
  });
  it("niceMax rounds up to 1, 2 or 5 times a power of ten", () => {
    expect([0, 1, 3, 7, 12, 48, 51, 1000].map(niceMax)).toEqual([1, 1, 5, 10, 20, 50, 100, 1000]);
  });
});
