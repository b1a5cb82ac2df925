// The script editor: open the default script, edit sections and choices,
// see problems as they are typed, save what the backend gets, show the
// backend's refusal, and never drop unsaved changes without asking.
import { describe, expect, it } from "vitest";
import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import ScriptEditor from "./ScriptEditor.svelte";
import { setLocale } from "../lib/i18n/index.svelte";
import type { CallScriptView } from "../lib/contract";
import { scriptsStore } from "../lib/scripts.svelte";
import { fakeBackend } from "../test/fixtures";

const stored = (): CallScriptView[] => [
  { id: 1, name: "Cold call", default: true, sections: [{ name: "Opening", body: "Hi {{contact.first_name|there}}", choices: [] }] },
  { id: 2, name: "Renewal", default: false, sections: [{ name: "Start", body: "About your renewal", choices: [] }] },
];

/** choose selects the option with value v the way a user does (value, then change). */
async function choose(sel: HTMLSelectElement, v: string) {
  for (const o of sel.options) o.selected = o.value === v;
  await fireEvent.change(sel);
}

function setup(save: (s: CallScriptView) => unknown) {
  scriptsStore.close();
  scriptsStore.list = [];
  scriptsStore.loaded = false;
  const { backend, transport } = fakeBackend({
    "ScriptsService.List": () => stored(),
    "ScriptsService.Save": (s) => save(s as CallScriptView),
    "OutcomesService.List": () => [{ id: 7, label: "Not interested", enabled: true, deleted: false }],
  });
  render(ScriptEditor, { props: { backend, repName: "Ken" } });
  return transport;
}

describe("ScriptEditor", () => {
  it("edits sections and choices, shows problems live, saves the whole script", async () => {
    setLocale("en");
    const transport = setup((s) => ({ ...s, id: 1 }));
    const name = (await screen.findByLabelText("Script name")) as HTMLInputElement;
    expect(name.value).toBe("Cold call");
    await fireEvent.click(screen.getByRole("button", { name: "Add section" }));
    const names = document.querySelectorAll<HTMLInputElement>("input.section-name");
    await fireEvent.input(names[1], { target: { value: "Price" } });
    await fireEvent.click(document.querySelectorAll<HTMLButtonElement>("button.add-choice")[0]);
    const label = document.querySelector<HTMLInputElement>("input.choice-label-input")!;
    await fireEvent.input(label, { target: { value: "Too expensive" } });
    const target = document.querySelector<HTMLSelectElement>("select.choice-target")!;
    await choose(target, "Price");
    const outcome = document.querySelector<HTMLSelectElement>("select.choice-outcome-select")!;
    await waitFor(() => expect(outcome.options.length).toBe(2));
    await choose(outcome, "Not interested");

    // A problem shows while typing and blocks the save until fixed.
    const body = document.querySelectorAll<HTMLTextAreaElement>("textarea.section-body")[1];
    await fireEvent.input(body, { target: { value: "Teams at {{company.nam}} agree" } });
    expect(document.querySelector(".script-issues")?.textContent).toContain("unknown variable company.nam");
    await fireEvent.click(screen.getByRole("button", { name: "Save script" }));
    expect(transport.called("ScriptsService", "Save")).toHaveLength(0);
    await fireEvent.input(body, { target: { value: "Teams at {{company.name|your company}} agree" } });
    expect(document.querySelector(".script-issues")).toBeNull();

    // Renaming a section moves the choices that lead there.
    await fireEvent.input(names[1], { target: { value: "Price objection" } });
    await fireEvent.click(screen.getByRole("button", { name: "Save script" }));
    await waitFor(() => expect(transport.called("ScriptsService", "Save")).toHaveLength(1));
    const sent = transport.called("ScriptsService", "Save")[0].args[0] as CallScriptView;
    expect(sent.sections.map((s) => s.name)).toEqual(["Opening", "Price objection"]);
    expect(sent.sections[0].choices).toEqual([{ label: "Too expensive", target: "Price objection", outcome: "Not interested", note: "" }]);
    expect(sent.sections[1].body).toBe("Teams at {{company.name|your company}} agree");
    await screen.findByText("Script saved");
  });

  it("shows the backend's refusal, and asks before dropping unsaved changes (Japanese)", async () => {
    setLocale("ja");
    setup(() => {
      throw { code: "invalid_argument", message: "Another script is already named \"Renewal\"." };
    });
    const name = (await screen.findByLabelText("スクリプト名")) as HTMLInputElement;
    await fireEvent.input(name, { target: { value: "Renewal" } });
    await fireEvent.click(screen.getByRole("button", { name: "スクリプトを保存" }));
    await screen.findByText("Another script is already named \"Renewal\".");
    // Switching scripts with unsaved changes asks first; keeping editing keeps the text.
    const pick = document.querySelector<HTMLSelectElement>("select.script-pick")!;
    pick.value = "2";
    await fireEvent.change(pick);
    expect(document.querySelector(".script-discard")).not.toBeNull();
    expect(name.value).toBe("Renewal");
    await fireEvent.click(screen.getByRole("button", { name: "編集を続ける" }));
    expect((screen.getByLabelText("スクリプト名") as HTMLInputElement).value).toBe("Renewal");
    pick.value = "2";
    await fireEvent.change(pick);
    await fireEvent.click(screen.getByRole("button", { name: "変更を破棄" }));
    await waitFor(() => expect((screen.getByLabelText("スクリプト名") as HTMLInputElement).value).toBe("Renewal"));
    expect(document.querySelector<HTMLTextAreaElement>("textarea.section-body")?.value).toBe("About your renewal");
  });
});
