// @vitest-environment happy-dom
import { describe, expect, it, vi } from "vitest";
import { EVENT_UI_READY, render, toBackendError } from "./ui";

describe("placeholder screen", () => {
  it("shows the backend version and reports ui:ready", async () => {
    const root = document.createElement("div");
    const emit = vi.fn();
    await render(root, { version: () => Promise.resolve("1.2.3-test"), emit });
    expect(root.querySelector("h1")?.textContent).toBe("Pitchline");
    expect(root.querySelector(".status")?.textContent).toBe("Pitchline \u2014 calling core ready; UI coming");
    expect(root.querySelector(".version")?.textContent).toBe("version 1.2.3-test");
    expect(emit).toHaveBeenCalledWith(EVENT_UI_READY, { version: "1.2.3-test" });
  });

  it("shows the ErrorFormatter code when the binding rejects", async () => {
    const root = document.createElement("div");
    const emit = vi.fn();
    await render(root, {
      version: () => Promise.reject({ code: "not_started", message: "app: not started" }),
      emit,
    });
    const v = root.querySelector(".version");
    expect(v?.textContent).toBe("version unavailable (not_started): app: not started");
    expect(v?.classList.contains("error")).toBe(true);
    expect(emit).toHaveBeenCalledWith(EVENT_UI_READY, { error: "not_started" });
  });

  it("maps plain errors and strings to code internal", () => {
    expect(toBackendError(new Error("boom"))).toEqual({ code: "internal", message: "boom" });
    expect(toBackendError("bad")).toEqual({ code: "internal", message: "bad" });
  });
});
