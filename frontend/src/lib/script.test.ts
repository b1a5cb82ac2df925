import { describe, expect, it } from "vitest";
import { fillScript, unknownVariables } from "./script";
import { highlight } from "./highlight";
import { formatDuration, formatMoney } from "./format";

describe("fillScript", () => {
  it("fills every supported variable", () => {
    const segs = fillScript("Hi {{contact.first_name}} {{contact.last_name}} of {{ company.name }}, re {{deal.name}} — {{rep.name}}", {
      "contact.first_name": "Margaret", "contact.last_name": "Sato", "company.name": "Marcom", "deal.name": "Renewal", "rep.name": "Ken",
    });
    const text = segs.map((s) => (s.kind === "text" ? s.text : s.kind === "var" ? s.value : `[${s.name}]`)).join("");
    expect(text).toBe("Hi Margaret Sato of Marcom, re Renewal — Ken");
  });
  it("marks missing and unknown variables instead of printing undefined", () => {
    const segs = fillScript("Hello {{contact.first_name}}, {{deal.name}} {{bogus.x}}", { "contact.first_name": "", "deal.name": undefined });
    expect(segs.filter((s) => s.kind === "missing").map((s) => s.kind === "missing" && s.name)).toEqual(["contact.first_name", "deal.name", "bogus.x"]);
    expect(JSON.stringify(segs)).not.toContain("undefined");
    expect(unknownVariables("{{bogus.x}} {{rep.name}}")).toEqual(["bogus.x"]);
  });
});

describe("highlight", () => {
  it("marks case-insensitive matches", () => {
    expect(highlight("Simon Martin", "mar")).toEqual([
      { text: "Simon ", match: false },
      { text: "Mar", match: true },
      { text: "tin", match: false },
    ]);
  });
  it("matches digits across separators", () => {
    expect(highlight("03-1234-5678", "0312")).toEqual([
      { text: "03-12", match: true },
      { text: "34-5678", match: false },
    ]);
  });
});

describe("format", () => {
  it("formats currency by locale", () => {
    expect(formatMoney(1200000, "JPY", "ja")).toBe("￥1,200,000");
    expect(formatMoney(1500.5, "USD", "en")).toBe("$1,500.50");
    expect(formatMoney(5, "NOPE1", "en")).toBe("5 NOPE1");
  });
  it("formats durations like a clock", () => {
    expect(formatDuration(0)).toBe("0:00");
    expect(formatDuration(65)).toBe("1:05");
    expect(formatDuration(3723)).toBe("1:02:03");
  });
});
