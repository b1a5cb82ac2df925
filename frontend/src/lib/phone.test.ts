import { describe, expect, it } from "vitest";
import { formatAsYouType, formatPhone, sanitizeDial, toDialTarget } from "./phone";

describe("sanitizeDial", () => {
  it("keeps + digits * # and drops junk", () => {
    expect(sanitizeDial(" +1 (415) 555-0100 ext. ")).toBe("+14155550100");
    expect(sanitizeDial("tel:+81-3-1234-5678")).toBe("+81312345678");
    expect(sanitizeDial("*72#1")).toBe("*72#1");
    expect(sanitizeDial("call me: 03.1234.5678!")).toBe("0312345678");
  });
  it("keeps + only at the start and folds full-width digits", () => {
    expect(sanitizeDial("12+34")).toBe("1234");
    expect(sanitizeDial("＋８１ ３ １２３４")).toBe("+8131234");
  });
});

describe("formatting", () => {
  it("formats JP numbers in Japanese national format as you type", () => {
    expect(formatAsYouType("0312345678", "JP")).toBe("03-1234-5678");
    expect(formatAsYouType("09011112222", "JP")).toBe("090-1111-2222");
  });
  it("formats US numbers as you type", () => {
    expect(formatAsYouType("4155550100", "US")).toBe("(415) 555-0100");
  });
  it("leaves feature codes alone", () => {
    expect(formatAsYouType("*72", "US")).toBe("*72");
  });
  it("formats complete numbers nationally at home and internationally abroad", () => {
    expect(formatPhone("+81312345678", "JP")).toBe("03-1234-5678");
    expect(formatPhone("+81312345678", "US")).toBe("+81 3 1234 5678");
    expect(formatPhone("1000", "JP")).toBe("1000");
  });
  it("dials E.164 when the number parses, the raw string otherwise", () => {
    expect(toDialTarget("03-1234-5678", "JP")).toBe("+81312345678");
    expect(toDialTarget("1000", "JP")).toBe("1000");
    expect(toDialTarget("*72#", "JP")).toBe("*72#");
  });
});
