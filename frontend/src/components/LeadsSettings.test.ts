import { describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import LeadsSettings from "./LeadsSettings.svelte";
import { setLocale } from "../lib/i18n/index.svelte";

describe("LeadsSettings", () => {
  it("loads the list, saves one address per line, and keeps what was typed when saving fails", async () => {
    setLocale("en");
    const save = vi.fn(async (l: string[]) => (l.includes("bad") ? undefined : l));
    render(LeadsSettings, { props: { load: async () => ["sip:dana@example.com"], save } });
    const box = (await screen.findByLabelText(/Team leads who may listen in/)) as HTMLTextAreaElement;
    await waitFor(() => expect(box.value).toBe("sip:dana@example.com"));

    await fireEvent.input(box, { target: { value: "sip:dana@example.com\nbad\n\n" } });
    await fireEvent.click(screen.getByRole("button", { name: "Save team leads" }));
    await waitFor(() => expect(save).toHaveBeenCalledWith(["sip:dana@example.com", "bad"]));
    expect(box.value).toBe("sip:dana@example.com\nbad\n\n");
    expect(screen.queryByRole("status")).toBeNull();

    await fireEvent.input(box, { target: { value: "sip:dana@example.com, lee@example.com" } });
    await fireEvent.click(screen.getByRole("button", { name: "Save team leads" }));
    await waitFor(() => expect(box.value).toBe("sip:dana@example.com\nlee@example.com"));
    expect(screen.getByRole("status").textContent).toBeTruthy();
  });
});
