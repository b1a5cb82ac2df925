import { describe, expect, it } from "vitest";
import { consultPair, expiresIn, monitoringLeads, nextLeadRole, pruneConsults } from "./calltools";
import { call, participant } from "../test/fixtures";

describe("consultPair", () => {
  const cust = call({ id: "c1", state: "held" });
  const coll = call({ id: "k1", state: "connected" });
  it("finds the pair from either call", () => {
    expect(consultPair({ c1: "k1" }, [cust, coll], "c1")).toEqual({ customer: cust, consult: coll });
    expect(consultPair({ c1: "k1" }, [cust, coll], "k1")).toEqual({ customer: cust, consult: coll });
  });
  it("is null for an unrelated call or once one call ended", () => {
    expect(consultPair({ c1: "k1" }, [cust, coll], "x")).toBeNull();
    expect(consultPair({ c1: "k1" }, [cust], "c1")).toBeNull();
    expect(consultPair({ c1: "k1" }, [cust, { ...coll, state: "ended" }], "k1")).toBeNull();
  });
  it("prunes transfers whose calls are gone", () => {
    expect(pruneConsults({ c1: "k1", c2: "k2" }, new Set(["c1", "k1", "c2"]))).toEqual({ c1: "k1" });
  });
});

describe("leads", () => {
  it("lists the answered leads of a call", () => {
    const parts = [
      participant({ id: "a", role: "participant" }),
      participant({ id: "b", role: "whisper" }),
      participant({ id: "c", role: "listen", state: "ringing" }),
      participant({ id: "d", role: "barge", state: "held" }),
    ];
    expect(monitoringLeads(parts).map((p) => p.id)).toEqual(["b", "d"]);
    expect(monitoringLeads(undefined)).toEqual([]);
  });
  it("switches listen → whisper → barge", () => {
    expect(nextLeadRole("listen")).toBe("whisper");
    expect(nextLeadRole("whisper")).toBe("barge");
    expect(nextLeadRole("barge")).toBe("barge");
    expect(nextLeadRole("participant")).toBe("listen");
  });
});

describe("expiresIn", () => {
  it("counts whole minutes up, 0 once past or unreadable", () => {
    const now = Date.parse("2026-01-01T10:00:00Z");
    expect(expiresIn("2026-01-01T10:10:00Z", now)).toBe(10);
    expect(expiresIn("2026-01-01T10:00:30Z", now)).toBe(1);
    expect(expiresIn("2026-01-01T09:59:00Z", now)).toBe(0);
    expect(expiresIn("", now)).toBe(0);
  });
});
