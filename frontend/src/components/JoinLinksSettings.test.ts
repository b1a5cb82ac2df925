import { describe, expect, it } from "vitest";
import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import JoinLinksSettings from "./JoinLinksSettings.svelte";
import { Backend, type JoinLinkSettings, type JoinLinkSettingsView, type Transport } from "../lib/backend";
import { setLocale } from "../lib/i18n/index.svelte";

function view(s: JoinLinkSettings): JoinLinkSettingsView {
  return { settings: s, addresses: ["192.168.1.20"], listen: `${s.lan ? s.address : "127.0.0.1"}:${s.port}`, scheme: s.certFile ? "https" : "http", certSubject: s.certFile ? "pc.example" : "", certExpires: s.certFile ? "2027-01-31T00:00:00Z" : "" };
}

function fakeBackend(kind: "http" | "wails") {
  const calls: { method: string; args: unknown[] }[] = [];
  const transport: Transport = {
    kind,
    async call(service, method, args) {
      expect(service).toBe("ConferenceService");
      calls.push({ method, args });
      if (method === "JoinLinkSettings") return view({ lan: false, address: "", port: 0, certFile: "", keyFile: "" });
      if (method === "ChooseJoinLinkFile") return args[0] === "cert" ? "/home/rep/pc.crt" : "/home/rep/pc.key";
      if (method === "SaveJoinLinkSettings") {
        const s = args[0] as JoinLinkSettings;
        if (s.keyFile.endsWith("other.key")) throw { code: "join_key_mismatch", message: "The key does not match the certificate.", detail: "webjoin: the private key does not belong to the certificate" };
        return view(s);
      }
      throw new Error("unexpected " + method);
    },
    on: () => () => {},
    ready() {},
  };
  return { backend: new Backend(transport), calls };
}

describe("JoinLinksSettings", () => {
  it("offers a LAN address only after the switch, keeps what was typed when refused, and saves", async () => {
    setLocale("en");
    const { backend, calls } = fakeBackend("http");
    render(JoinLinksSettings, { props: { backend } });
    const sw = (await screen.findByRole("switch", { name: /Allow join links from other computers/ })) as HTMLInputElement;
    const addr = screen.getByLabelText("Address links carry") as HTMLInputElement;
    await waitFor(() => expect(calls.some((c) => c.method === "JoinLinkSettings")).toBe(true));
    expect(sw.checked).toBe(false);
    expect(addr.disabled).toBe(true);
    expect(addr.value).toBe("127.0.0.1");
    // The browser has no file dialog: paths are typed.
    expect(screen.queryByRole("button", { name: "Choose…" })).toBeNull();

    await fireEvent.click(sw);
    expect(addr.disabled).toBe(false);
    expect(addr.value).toBe("192.168.1.20"); // this computer's first address, to start from
    await fireEvent.input(addr, { target: { value: "192.168.1.20" } });
    const cert = screen.getByLabelText("Certificate file (PEM)") as HTMLInputElement;
    const key = screen.getByLabelText("Private key file (PEM)") as HTMLInputElement;
    await fireEvent.input(cert, { target: { value: "/home/rep/pc.crt" } });
    await fireEvent.input(key, { target: { value: "/home/rep/other.key" } });
    await fireEvent.input(screen.getByLabelText("Port"), { target: { value: "8443" } });
    expect(screen.getByText(/Links will look like https:\/\/192\.168\.1\.20:8443\/join\//)).toBeTruthy();
    await fireEvent.click(screen.getByRole("button", { name: "Save join link settings" }));
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("The key does not match the certificate. Choose the key that was made together with this certificate.");
    expect(alert.getAttribute("data-code")).toBe("join_key_mismatch");
    expect(key.value).toBe("/home/rep/other.key");
    expect(calls.at(-1)!.args[0]).toEqual({ lan: true, address: "192.168.1.20", port: 8443, certFile: "/home/rep/pc.crt", keyFile: "/home/rep/other.key" });

    setLocale("ja");
    await waitFor(() => expect(alert.textContent).toContain("鍵が証明書と一致しません。"));
    setLocale("en");

    await fireEvent.input(key, { target: { value: "/home/rep/pc.key" } });
    await fireEvent.click(screen.getByRole("button", { name: "Save join link settings" }));
    expect((await screen.findByRole("status")).textContent).toContain("Saved.");
    expect(screen.queryByRole("alert")).toBeNull();
    expect(screen.getByText("Certificate for pc.example, valid until 2027-01-31.")).toBeTruthy();
  });

  it("chooses the files with the window's dialog", async () => {
    setLocale("en");
    const { backend, calls } = fakeBackend("wails");
    render(JoinLinksSettings, { props: { backend } });
    const buttons = await screen.findAllByRole("button", { name: "Choose…" });
    await fireEvent.click(buttons[0]);
    await waitFor(() => expect((screen.getByLabelText("Certificate file (PEM)") as HTMLInputElement).value).toBe("/home/rep/pc.crt"));
    await fireEvent.click(buttons[1]);
    await waitFor(() => expect((screen.getByLabelText("Private key file (PEM)") as HTMLInputElement).value).toBe("/home/rep/pc.key"));
    expect(calls.filter((c) => c.method === "ChooseJoinLinkFile").map((c) => c.args)).toEqual([
      ["cert", "Choose the certificate file"],
      ["key", "Choose the private key file"],
    ]);
  });
});
