// Report helpers for ReportsView: date ranges, chart geometry and the CSV
// download. Charts are plain SVG drawn from these numbers (no chart
// library: a typical one adds 50-200 kB to a bundle of ~325 kB, 93 kB gzipped).
import type { Backend } from "./backend";
import type { CSVFile, ExportRequest, ReportDay } from "./contract";
import { isoDate } from "./format";

/** Preset is a date range choice of the Reports view. */
export type Preset = 7 | 30 | 90 | "custom";

/** presetRange returns the last `days` days up to and including today. */
export function presetRange(days: number, today: Date = new Date()): { from: string; to: string } {
  const from = new Date(today.getFullYear(), today.getMonth(), today.getDate() - (days - 1));
  return { from: isoDate(from), to: isoDate(today) };
}

/** userTimeZone is the UI's IANA time zone ('' when the runtime has none). */
export function userTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone ?? "";
  } catch {
    return "";
  }
}

/** Segment is one outcome's part of a day's stacked bar. */
export interface Segment { series: number; count: number; y: number; h: number }

/** stack returns a day's bar segments bottom-up for a chart of height h
 * whose top is max calls. Outcomes without calls get no segment. */
export function stack(day: ReportDay, max: number, h: number): Segment[] {
  const out: Segment[] = [];
  if (max <= 0) return out;
  let cum = 0;
  day.byOutcome.forEach((count, series) => {
    if (count <= 0) return;
    const y0 = h - (cum / max) * h;
    cum += count;
    const y1 = h - (cum / max) * h;
    out.push({ series, count, y: y1, h: y0 - y1 });
  });
  return out;
}

/** niceMax rounds a chart's top up to 1, 2 or 5 times a power of ten. */
export function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (v <= m * p) return m * p;
  return 10 * p;
}

/** PALETTE colours the outcome series (distinct on the dark background);
 * "no outcome" is always NO_OUTCOME_COLOUR. */
export const PALETTE = ["#4fd1a5", "#5aa9e6", "#ffc857", "#ff8c69", "#c792ea", "#7fdbca", "#f78fb3", "#a3be8c", "#e6c07b", "#82aaff"];
export const NO_OUTCOME_COLOUR = "#6b7a93";

/** download saves a CSV file through the browser (an object URL and a
 * temporary <a download>). */
export function download(file: CSVFile, doc: Document = document): void {
  const url = URL.createObjectURL(new Blob([file.content], { type: "text/csv;charset=utf-8" }));
  const a = doc.createElement("a");
  a.href = url;
  a.download = file.name;
  a.style.display = "none";
  doc.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** ExportResult says where an export went. */
export type ExportResult = { kind: "saved"; path: string } | { kind: "downloaded"; name: string } | { kind: "cancelled" };

/** exportCSV saves a table: the native save dialog in the desktop window,
 * a download in the browser (`pitchline serve`). */
export async function exportCSV(backend: Backend, req: ExportRequest, doc?: Document): Promise<ExportResult> {
  if (backend.transport.kind === "wails") {
    const path = await backend.reports.saveCSV(req);
    return path ? { kind: "saved", path } : { kind: "cancelled" };
  }
  const file = await backend.reports.exportCSV(req);
  download(file, doc);
  return { kind: "downloaded", name: file.name };
}
