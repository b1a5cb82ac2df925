// The script panel in a call: sections, choices as buttons with their
// keys, the path with a way back, fallbacks, and a choice appending its
// lines to the call notes (never replacing what the rep typed) and
// pre-selecting its outcome for the post-call form.
import { describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen } from "@testing-library/svelte";
import InCallPanel from "./InCallPanel.svelte";
import { setLocale } from "../lib/i18n/index.svelte";
import type { CallScriptView } from "../lib/contract";
import type { CallActions } from "../lib/actions";
import { scriptsStore } from "../lib/scripts.svelte";
import { call, callerId } from "../test/fixtures";

const cold: CallScriptView = {
  id: 5, name: "Cold call", default: true, sections: [
    { name: "Opening", body: "Hi {{contact.first_name|there}}, {{rep.name}} from Pitchline.", choices: [
      { label: "Interested", target: "Qualify", outcome: "", note: "" },
      { label: "Not interested — price", target: "Price", outcome: "Not interested", note: "Objection: price" },
    ] },
    { name: "Price", body: "Teams at {{company.name}} said that too.", choices: [{ label: "Back to the pitch", target: "Opening", outcome: "", note: "" }] },
    { name: "Qualify", body: "How many reps?", choices: [{ label: "Book a demo", target: "", outcome: "Meeting booked", note: "Demo booked" }] },
  ],
};
const listScript: CallScriptView = { id: 8, name: "Renewals", default: false, sections: [{ name: "Renewal", body: "About your renewal", choices: [] }] };

function show(id: string, over: Record<string, unknown> = {}) {
  const a = { hangup: vi.fn(), mute: vi.fn(), hold: vi.fn(), resume: vi.fn(), dtmf: vi.fn(), transfer: vi.fn(), notes: vi.fn() } satisfies CallActions;
  const levels = { active: true, micDb: -20, speakerDb: -30 };
  const c = call({ id, callerId: callerId(), notes: "Rep typed this", ...over });
  render(InCallPanel, { props: { call: c, scripts: [cold, listScript], repName: "Ken", country: "US", levels, actions: a } });
  return a;
}

describe("ScriptPanel in a call", () => {
  it("walks the branches: notes appended, outcome kept, path and back", async () => {
    setLocale("en");
    const a = show("s1");
    const body = () => document.querySelector(".script-body")!;
    expect(body().textContent).toBe("Hi there, Ken from Pitchline.");
    expect(body().querySelector(".fallback")?.getAttribute("data-var")).toBe("contact.first_name");
    const choices = [...document.querySelectorAll<HTMLButtonElement>(".script-choice")];
    expect(choices.map((b) => b.dataset.key)).toEqual(["1", "2"]);
    expect(choices[1].textContent).toContain("Outcome: Not interested");

    await fireEvent.click(choices[1]);
    expect(document.querySelector(".script-section")?.textContent).toBe("Price");
    expect(body().querySelector(".missing")?.textContent).toBe("no company");
    expect(a.notes).toHaveBeenLastCalledWith("s1", "Rep typed this\nScript: Opening → Not interested — price\nObjection: price", true);
    expect(a.notes).toHaveBeenCalledWith("s1", "Rep typed this\nScript: Opening → Not interested — price\nObjection: price");
    expect((screen.getByLabelText("Call notes") as HTMLTextAreaElement).value).toContain("Rep typed this\nScript:");
    expect(scriptsStore.outcomeFor("s1")).toBe("Not interested");
    expect([...document.querySelectorAll(".crumb")].map((e) => e.textContent)).toEqual(["Opening", "Price"]);

    await fireEvent.click(screen.getByRole("button", { name: "Back" }));
    expect(document.querySelector(".script-section")?.textContent).toBe("Opening");
    await fireEvent.click(document.querySelector<HTMLButtonElement>('.script-choice[data-key="1"]')!);
    await fireEvent.click(document.querySelector<HTMLButtonElement>('.script-choice[data-key="1"]')!);
    expect(document.querySelector(".script-end")).not.toBeNull();
    expect(scriptsStore.outcomeFor("s1")).toBe("Meeting booked");
    expect(a.notes.mock.calls.at(-1)?.[1]).toBe(
      "Rep typed this\nScript: Opening → Not interested — price\nObjection: price\nScript: Opening → Interested\nScript: Qualify → Book a demo\nDemo booked",
    );
  });

  it("shows the call list's script when the call is from a list", () => {
    setLocale("ja");
    const a = { hangup: vi.fn(), mute: vi.fn(), hold: vi.fn(), resume: vi.fn(), dtmf: vi.fn(), transfer: vi.fn(), notes: vi.fn() } satisfies CallActions;
    render(InCallPanel, { props: { call: call({ id: "s2", callerId: callerId() }), scripts: [cold, listScript], listScriptId: 8, repName: "", country: "JP", levels: { active: true, micDb: -20, speakerDb: -30 }, actions: a } });
    expect(document.querySelector(".script-section")?.textContent).toBe("Renewal");
    expect(document.querySelector(".script")?.getAttribute("data-script")).toBe("8");
  });
});
