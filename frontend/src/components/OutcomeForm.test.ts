import { describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen } from "@testing-library/svelte";
import OutcomeForm from "./OutcomeForm.svelte";
import { setLocale } from "../lib/i18n/index.svelte";
import { callerId, margaret } from "../test/fixtures";
import type { FormInput, FormView } from "../lib/contract";

/** pick selects an option the way a user does (value, then change). */
async function pick(el: HTMLElement, value: string) {
  for (const o of (el as HTMLSelectElement).options) o.selected = o.value === value;
  await fireEvent.change(el);
}

function form(over: Partial<FormView> = {}): FormView {
  return {
    callId: "c9", state: "pending", direction: "outbound", number: "+81312345678",
    callerId: callerId({ known: true, name: "Margaret Sato", company: "Marcom", contactId: "ct1" }),
    contact: margaret, deals: margaret.deals, status: "completed", started: "2026-01-05T10:00:00Z", durationMs: 65_000,
    notes: "asked for pricing",
    outcomes: [
      { id: 1, label: "Connected", enabled: true, deleted: false, position: 1, mapping: {} },
      { id: 2, label: "Old outcome", enabled: false, deleted: false, position: 2, mapping: {} },
      { id: 3, label: "Meeting booked", enabled: true, deleted: false, position: 3, mapping: {} },
    ],
    requireOutcome: false,
    ...over,
  };
}

describe("OutcomeForm", () => {
  it("prefills the notes, offers enabled outcomes and the contact's deals, and saves a follow-up task", async () => {
    setLocale("en");
    const onsave = vi.fn(async (_f: FormInput) => true);
    render(OutcomeForm, { props: { form: form(), requireOutcome: false, onsave, ondismiss: vi.fn(async () => {}) } });
    expect(screen.getByRole("heading").textContent).toBe("Log the call with Margaret Sato");
    expect((screen.getByLabelText("Notes") as HTMLTextAreaElement).value).toBe("asked for pricing");
    const outcome = screen.getByLabelText("Outcome") as HTMLSelectElement;
    expect([...outcome.options].map((o) => o.textContent)).toEqual(["Choose an outcome…", "Connected", "Meeting booked"]);
    await pick(outcome, "3");
    await pick(screen.getByLabelText("Topic / deal"), "d1");
    await fireEvent.input(screen.getByLabelText("Notes"), { target: { value: "asked for pricing; demo next week" } });
    await fireEvent.click(screen.getByLabelText("Add a follow-up task"));
    await fireEvent.input(screen.getByLabelText("Task title"), { target: { value: "Send the proposal" } });
    await fireEvent.input(screen.getByLabelText("Due date"), { target: { value: "2030-03-04" } });
    await fireEvent.input(screen.getByLabelText("Due time"), { target: { value: "10:30" } });
    await pick(screen.getByLabelText("Reminder"), "15");
    await fireEvent.click(screen.getByRole("button", { name: "Log call" }));
    expect(onsave).toHaveBeenCalledTimes(1);
    const f = onsave.mock.calls[0][0];
    const due = new Date("2030-03-04T10:30");
    expect(f).toEqual({
      callId: "c9", outcomeId: 3, notes: "asked for pricing; demo next week", dealId: "d1",
      task: { title: "Send the proposal", due: due.toISOString(), reminder: new Date(due.getTime() - 15 * 60_000).toISOString() },
    });
  });

  it("hides the deal select when the contact has no deals; a task needs a title", async () => {
    setLocale("en");
    const onsave = vi.fn(async () => true);
    render(OutcomeForm, { props: { form: form({ contact: null, deals: [] }), requireOutcome: false, onsave, ondismiss: vi.fn(async () => {}) } });
    expect(screen.queryByLabelText("Topic / deal")).toBeNull();
    await fireEvent.click(screen.getByLabelText("Add a follow-up task"));
    await fireEvent.click(screen.getByRole("button", { name: "Log call" }));
    expect(onsave).not.toHaveBeenCalled();
    expect(screen.getByRole("alert").textContent).toBe("Give the follow-up task a title.");
  });

  it("require an outcome: the backend's refusal keeps the form open with a message", async () => {
    setLocale("en");
    const ondismiss = vi.fn(async () => {
      throw { code: "outcome_required", message: "app: choose an outcome" };
    });
    render(OutcomeForm, { props: { form: form(), requireOutcome: true, onsave: vi.fn(async () => true), ondismiss } });
    expect(screen.getByText("(required)")).toBeTruthy();
    await fireEvent.click(screen.getByRole("button", { name: "Dismiss form" }));
    expect(ondismiss).toHaveBeenCalledWith("c9");
    expect((await screen.findByRole("alert")).textContent).toBe("Choose an outcome first: an outcome is required for every call (Settings).");
    expect(screen.getByRole("button", { name: "Log call" })).toBeTruthy();
  });

  it("late notes refresh the prefill until the rep edits them", async () => {
    setLocale("en");
    const props = { form: form({ notes: "first" }), requireOutcome: false, onsave: vi.fn(async () => true), ondismiss: vi.fn(async () => {}) };
    const r = render(OutcomeForm, { props });
    await r.rerender({ ...props, form: form({ notes: "first, and what came after" }) });
    expect((screen.getByLabelText("Notes") as HTMLTextAreaElement).value).toBe("first, and what came after");
  });

  it("follows outcome changes while open: new and renamed ones appear, a chosen one that goes away is cleared", async () => {
    setLocale("en");
    const onsave = vi.fn(async (_f: FormInput) => true);
    const props = { form: form(), requireOutcome: false, onsave, ondismiss: vi.fn(async () => {}) };
    const r = render(OutcomeForm, { props });
    const outcome = screen.getByLabelText("Outcome") as HTMLSelectElement;
    await pick(outcome, "1");
    const base = form().outcomes ?? [];
    // Renamed "Connected", a new "Left voicemail": the choice stays.
    await r.rerender({ ...props, form: form({ outcomes: [{ ...base[0], label: "Reached" }, base[1], base[2], { id: 4, label: "Left voicemail", enabled: true, deleted: false, position: 4, mapping: {} }] }) });
    expect([...outcome.options].map((o) => o.textContent)).toEqual(["Choose an outcome…", "Reached", "Meeting booked", "Left voicemail"]);
    expect(outcome.value).toBe("1");
    expect(screen.queryByRole("alert")).toBeNull();
    // "Reached" disabled: it is no longer offered and the choice is cleared.
    await r.rerender({ ...props, form: form({ outcomes: [{ ...base[0], label: "Reached", enabled: false }, base[2], { id: 4, label: "Left voicemail", enabled: true, deleted: false, position: 4, mapping: {} }] }) });
    expect([...outcome.options].map((o) => o.textContent)).toEqual(["Choose an outcome…", "Meeting booked", "Left voicemail"]);
    expect(outcome.value).toBe("");
    expect(screen.getByRole("alert").textContent).toBe("The outcome you chose is no longer offered; choose another.");
    await pick(outcome, "4");
    await fireEvent.click(screen.getByRole("button", { name: "Log call" }));
    expect(onsave.mock.calls[0][0].outcomeId).toBe(4);
  });

  it("pre-selects the outcome the call implies and the deal the caller-ID pop showed", async () => {
    setLocale("en");
    const outcomes = [
      { id: 1, label: "Connected", enabled: true, deleted: false, position: 1, mapping: {} },
      { id: 4, label: "No answer", enabled: true, deleted: false, position: 4, mapping: {} },
      { id: 5, label: "Busy", enabled: true, deleted: false, position: 5, mapping: {} },
    ];
    const id = callerId({ known: true, name: "Margaret Sato", company: "Marcom", contactId: "ct1", dealName: "Marcom renewal" });
    const deals = [{ id: "d0", name: "Other deal", amount: "", currency: "", stage: "" }, ...(margaret.deals ?? [])];
    const onsave = vi.fn(async (_f: FormInput) => true);
    const r = render(OutcomeForm, { props: { form: form({ status: "busy", outcomes, callerId: id, deals }), requireOutcome: false, onsave, ondismiss: vi.fn(async () => {}) } });
    expect((screen.getByLabelText("Outcome") as HTMLSelectElement).value).toBe("5");
    const deal = screen.getByLabelText("Topic / deal") as HTMLSelectElement;
    expect(deal.value).toBe("d1");
    // "Marcom renewal (proposal)": a space before the stage; "answered · 1:05" likewise.
    expect([...deal.options].map((o) => o.textContent)).toContain("Marcom renewal (proposal)");
    await fireEvent.click(screen.getByRole("button", { name: "Log call" }));
    expect(onsave.mock.calls[0][0]).toMatchObject({ outcomeId: 5, dealId: "d1" });
    r.unmount();
    render(OutcomeForm, { props: { form: form({ status: "no_answer", outcomes }), requireOutcome: false, onsave, ondismiss: vi.fn(async () => {}) } });
    expect((screen.getByLabelText("Outcome") as HTMLSelectElement).value).toBe("4");
  });

  it("puts spaces around the separators and says 1 more call, 2 more calls", () => {
    setLocale("en");
    const props = { form: form(), requireOutcome: false, onsave: vi.fn(async () => true), ondismiss: vi.fn(async () => {}) };
    const r = render(OutcomeForm, { props: { ...props, more: 1 } });
    expect(document.querySelector(".form-meta")?.textContent?.replace(/\s+/g, " ").trim()).toBe("Outgoing call · answered · 1:05");
    expect(screen.getByText("1 more call to log")).toBeTruthy();
    r.unmount();
    render(OutcomeForm, { props: { ...props, more: 2 } });
    expect(screen.getByText("2 more calls to log")).toBeTruthy();
  });

  it("keeps notes longer than the box holds, and a paste keeps what fits and says so", async () => {
    setLocale("en");
    const long = "x".repeat(70_000);
    const onsave = vi.fn(async (_f: FormInput) => true);
    render(OutcomeForm, { props: { form: form({ notes: long }), requireOutcome: false, onsave, ondismiss: vi.fn(async () => {}) } });
    const box = screen.getByLabelText("Notes") as HTMLTextAreaElement;
    expect(box.value.length).toBe(70_000);
    expect(screen.getByRole("status").textContent).toContain("70,000 characters: longer than the box holds (65,536)");
    await fireEvent.click(screen.getByRole("button", { name: "Log call" }));
    expect(onsave.mock.calls[0][0].notes).toBe(long);
  });

  it("speaks Japanese", () => {
    setLocale("ja");
    render(OutcomeForm, { props: { form: form(), requireOutcome: false, onsave: vi.fn(async () => true), ondismiss: vi.fn(async () => {}) } });
    expect(screen.getByRole("button", { name: "通話を記録" })).toBeTruthy();
    setLocale("en");
  });
});
