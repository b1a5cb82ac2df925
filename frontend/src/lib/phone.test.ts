import { describe, expect, it } from "vitest";
import { checkDial, editDial, formatAsYouType, formatPhone, isAddress, sanitizeDial, toDialTarget } from "./phone";

describe("sanitizeDial", () => {
  it("keeps + digits * # and drops junk", () => {
    expect(sanitizeDial(" +1 (415) 555-0100 ext. ")).toBe("+14155550100");
    expect(sanitizeDial("tel:+81-3-1234-5678")).toBe("+81312345678");
    expect(sanitizeDial("*72#1")).toBe("*72#1");
    expect(sanitizeDial("call me: 03.1234.5678!")).toBe("0312345678");
  });
  it("maps letters to keypad digits (E.161) in vanity numbers", () => {
    expect(sanitizeDial("1-800-FLOWERS")).toBe("18003569377");
    expect(sanitizeDial("+1 800 flowers")).toBe("+18003569377");
    expect(sanitizeDial("FLOWERS")).toBe("3569377");
    expect(sanitizeDial("１-８００-ＦＬＯＷＥＲＳ")).toBe("18003569377");
    expect(sanitizeDial("ABC DEF GHI JKL MNO PQRS TUV WXYZ")).toBe("22233344455566677778889999");
    // Words around a number and extensions are not keypad letters.
    expect(sanitizeDial("call me 03-1234-5678")).toBe("0312345678");
    expect(sanitizeDial("415-555-0100 x12")).toBe("4155550100");
    expect(sanitizeDial("415-555-0100;ext=12")).toBe("4155550100");
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
    // Addresses and tel: URIs go to the engine as typed (it parses them).
    expect(toDialTarget(" sip:bob@example.com ", "JP")).toBe("sip:bob@example.com");
    expect(toDialTarget("bob@example.com", "JP")).toBe("bob@example.com");
    expect(toDialTarget("tel:+81-3-1234-5678", "JP")).toBe("tel:+81-3-1234-5678");
  });
});

describe("checkDial", () => {
  it("dials 1-800-FLOWERS as a valid US toll-free number", () => {
    const c = checkDial(sanitizeDial("1-800-FLOWERS"), "US");
    expect(c).toMatchObject({ target: "+18003569377", invalid: false });
    expect(c.display).toBe("+1 800 356 9377");
  });
  it("flags numbers that cannot be valid for their country", () => {
    expect(checkDial("12345678", "JP")).toMatchObject({ invalid: true, country: "JP" });
    expect(checkDial("0012345678", "US")).toMatchObject({ invalid: true });
    expect(checkDial("+999123456789", "US")).toMatchObject({ invalid: true });
    expect(checkDial("0312345678", "JP")).toMatchObject({ invalid: false, target: "+81312345678" });
  });
  it("never flags extensions, short codes and feature codes", () => {
    expect(checkDial("201", "US").invalid).toBe(false);
    expect(checkDial("110", "JP").invalid).toBe(false);
    expect(checkDial("*72#", "US").invalid).toBe(false);
    expect(checkDial("", "US").invalid).toBe(false);
  });
});

describe("editDial", () => {
  it("keeps a SIP address or user name as typed, key by key", () => {
    let kept = "";
    for (const ch of "sip:bob@127.0.0.1:5070") kept = editDial(kept + ch);
    expect(kept).toBe("sip:bob@127.0.0.1:5070");
    expect(editDial(" bob@example.com ")).toBe("bob@example.com");
    expect(editDial("alice2")).toBe("alice2");
    expect(editDial("ｓｉｐ：ｂｏｂ＠ｅｘａｍｐｌｅ．ｃｏｍ")).toBe("sip:bob@example.com");
  });
  it("sanitises numbers, tel: text and sentences around a number", () => {
    expect(editDial("1-800-FLOWERS")).toBe("18003569377");
    expect(editDial("tel:+81-3-1234-5678")).toBe("+81312345678");
    expect(editDial("call me 03-1234-5678")).toBe("0312345678");
    expect(editDial("+1 415 555 0100")).toBe("+14155550100");
  });
  it("tells addresses from numbers", () => {
    expect(isAddress("sip:bob@example.com")).toBe(true);
    expect(isAddress("sips:bob@example.com")).toBe(true);
    expect(isAddress("bob@example.com")).toBe(true);
    expect(isAddress("+14155550100")).toBe(false);
    expect(isAddress("alice")).toBe(false);
  });
});

describe("checkDial with text", () => {
  it("dials an address or a user name as typed, with no warning", () => {
    expect(checkDial("sip:bob@example.com", "US")).toEqual({ target: "sip:bob@example.com", display: "sip:bob@example.com", invalid: false, country: "" });
    expect(checkDial("alice", "US")).toMatchObject({ target: "alice", invalid: false });
    expect(formatAsYouType("sip:bob@example.com", "US")).toBe("sip:bob@example.com");
  });
  it("reads an upper-case word as a vanity number", () => {
    expect(checkDial("FLOWERS", "US").target).toBe("3569377");
  });
});
