// The outcomes table follows the core's own changes (the mapping by label
// when a CRM is connected, event "outcomes") and names the CRM as the rep
// knows it.
import { describe, expect, it } from "vitest";
import { render, screen, waitFor } from "@testing-library/svelte";
import OutcomesAdmin from "./OutcomesAdmin.svelte";
import { setLocale } from "../lib/i18n/index.svelte";
import { fakeBackend } from "../test/fixtures";
import type { OutcomeView } from "../lib/contract";

const connected = (mapping: Record<string, string>): OutcomeView => ({ id: 1, label: "Connected", enabled: true, deleted: false, position: 1, mapping });

describe("OutcomesAdmin", () => {
  it("shows the mapping the core made on connect, under the CRM's name", async () => {
    setLocale("en");
    const { backend, transport } = fakeBackend({
      "OutcomesService.List": () => [connected({})],
      "OutcomesService.VendorOutcomes": () => [{ value: "guid-connected", label: "Connected" }],
    });
    render(OutcomesAdmin, { props: { backend, vendor: "hubspot" } });
    const map = (await screen.findByRole("combobox", { name: "CRM value for Connected" })) as HTMLSelectElement;
    expect(map.value).toBe("");
    expect(screen.getByRole("columnheader", { name: "Value in HubSpot" })).toBeTruthy();
    transport.emit("outcomes", [connected({ hubspot: "guid-connected" })]);
    await waitFor(() => expect((screen.getByRole("combobox", { name: "CRM value for Connected" }) as HTMLSelectElement).value).toBe("guid-connected"));
  });
});
