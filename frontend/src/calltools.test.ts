// The call tools in the whole window: a lead's role from the add form and
// per participant, the rep's banner when a lead listens or whispers,
// attended transfer with Alt+C / Alt+R / Alt+T, join links with Alt+L, and
// a lead's own monitor call with its role switch.
import { describe, expect, it } from "vitest";
import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import App from "./App.svelte";
import { PhoneStore } from "./lib/store.svelte";
import { setLocale } from "./lib/i18n/index.svelte";
import type { CallView, ConferenceView, JoinLinkView } from "./lib/contract";
import { call, callerId, fakeBackend, participant, snapshot } from "./test/fixtures";

const ann = participant({ id: "l1", callId: "o1", name: "Ann Lee" });
const lead = participant({ id: "l2", callId: "o1", name: "Dana Lead", number: "201", remote: "sip:201@127.0.0.1", role: "whisper" });
const link: JoinLinkView = { url: "http://127.0.0.1:4321/join/abc?lang=en", callId: "o1", expires: new Date(Date.now() + 10 * 60_000).toISOString(), network: false };
const colleague = (id = "k1"): CallView => call({ id, state: "dialing", number: "102", remote: "sip:102@127.0.0.1", created: "2026-01-05T10:05:00Z", callerId: callerId({ known: true, name: "Kim Colleague" }) });

let consults = 0;

let linkReply: JoinLinkView = link;

async function boot(lang: "en" | "ja" = "en") {
  setLocale(lang);
  consults = 0;
  const reply = (id: unknown): ConferenceView => ({ callId: String(id), left: false, participants: [ann] });
  const { backend, transport } = fakeBackend({
    "SystemService.Snapshot": () => snapshot({ calls: [call({ id: "o1", state: "connected", participants: [ann] })], settings: { language: lang, defaultCountry: "US", ringtone: "classic", forwardTo: "", scripts: [] } }),
    "HistoryService.List": () => [],
    "ContactsService.Get": () => ({}),
    "ContactsService.Search": () => [],
    "ConferenceService.Invite": reply,
    "ConferenceService.SetRole": reply,
    "ConferenceService.Consult": () => colleague(`k${++consults}`),
    "ConferenceService.CancelConsult": () => call({ id: "o1", state: "connected" }),
    "ConferenceService.CompleteTransfer": () => call({ id: "o1", state: "held", held: true }),
    "ConferenceService.CreateJoinLink": () => linkReply,
    "ConferenceService.RevokeJoinLink": () => true,
    "ConferenceService.Monitor": () => call({ id: "m1", state: "dialing", number: "300", remote: "sip:300@127.0.0.1" }),
    "ConferenceService.SetMonitorRole": () => call({ id: "m1", state: "connected", number: "300" }),
  });
  const store = new PhoneStore(backend);
  render(App, { props: { store } });
  await store.start();
  return { store, transport };
}

describe("call tools in the window", () => {
  it("invites a lead with a role, switches it, and shows the rep who is whispering", async () => {
    const { transport } = await boot();
    await fireEvent.keyDown(window, { key: "i", code: "KeyI", altKey: true });
    const input = await screen.findByLabelText("Number, contact or SIP address");
    await fireEvent.input(input, { target: { value: "sip:201@127.0.0.1" } });
    await fireEvent.change(screen.getByLabelText("Join as"), { target: { value: "whisper" } });
    await fireEvent.submit((input as HTMLInputElement).form!);
    expect(transport.called("ConferenceService", "Invite")[0].args).toEqual(["o1", "sip:201@127.0.0.1", "whisper"]);
    expect(transport.called("ConferenceService", "Add")).toHaveLength(0);

    transport.emit("conference", { callId: "o1", left: false, participants: [ann, lead] });
    const banner = await screen.findByText("Dana Lead is whispering to you. Only you can hear them.");
    expect(banner.closest(".lead-banner")?.getAttribute("role")).toBe("status");
    await fireEvent.change(screen.getByLabelText("Role of Dana Lead"), { target: { value: "barge" } });
    expect(transport.called("ConferenceService", "SetRole")[0].args).toEqual(["o1", "l2", "barge"]);
    transport.emit("conference", { callId: "o1", left: false, participants: [ann, { ...lead, role: "barge" }] });
    await screen.findByText("Dana Lead has barged in. Everyone on the call can hear them.");
  });

  it("consults a colleague with Alt+C, shows both calls, and returns with Alt+R or completes with Alt+T", async () => {
    const { transport } = await boot();
    await fireEvent.keyDown(window, { key: "c", code: "KeyC", altKey: true });
    const input = await screen.findByLabelText("Colleague's number, contact or SIP address");
    await waitFor(() => expect(document.activeElement).toBe(input));
    await fireEvent.input(input, { target: { value: "102" } });
    await fireEvent.submit((input as HTMLInputElement).form!);
    expect(transport.called("ConferenceService", "Consult")[0].args).toEqual(["o1", "102"]);
    transport.emit("call", call({ id: "o1", state: "held", held: true, participants: [ann] }));
    transport.emit("call", { ...colleague(), state: "connected" });
    // The consultation call takes the panel, which shows both calls.
    await waitFor(() => expect(document.querySelector(".incall")?.getAttribute("data-call")).toBe("k1"));
    const box = document.querySelector(".xfer")!;
    expect(box.getAttribute("data-customer")).toBe("o1");
    expect(box.textContent).toContain("Kim Colleague");
    expect(box.textContent).toContain("On hold");

    await fireEvent.keyDown(window, { key: "r", code: "KeyR", altKey: true });
    await waitFor(() => expect(transport.called("ConferenceService", "CancelConsult")[0]?.args).toEqual(["o1", "k1"]));
    transport.emit("call", { ...colleague(), state: "ended", cause: "local_hangup" });
    transport.emit("call", call({ id: "o1", state: "connected", participants: [ann] }));
    await waitFor(() => expect(document.querySelector(".incall")?.getAttribute("data-call")).toBe("o1"));
    expect(document.querySelector(".xfer")).toBeNull();

    // Again, and complete this time.
    await fireEvent.click(screen.getByRole("button", { name: /^Consult/ }));
    const again = await screen.findByLabelText("Colleague's number, contact or SIP address");
    await fireEvent.input(again, { target: { value: "102" } });
    await fireEvent.submit((again as HTMLInputElement).form!);
    await waitFor(() => expect(transport.called("ConferenceService", "Consult")).toHaveLength(2));
    transport.emit("call", { ...colleague("k2"), state: "connected" });
    await waitFor(() => expect(document.querySelector(".xfer")?.getAttribute("data-consult")).toBe("k2"));
    await fireEvent.keyDown(window, { key: "t", code: "KeyT", altKey: true });
    await waitFor(() => expect(transport.called("ConferenceService", "CompleteTransfer")[0]?.args).toEqual(["o1", "k2"]));
  });

  it("makes a join link in the rep's language with Alt+L, copies and revokes it", async () => {
    const { transport } = await boot("ja");
    await fireEvent.keyDown(window, { key: "l", code: "KeyL", altKey: true });
    await waitFor(() => expect(transport.called("ConferenceService", "CreateJoinLink")[0]?.args).toEqual(["o1", "ja"]));
    const field = (await screen.findByLabelText("この通話の参加リンク")) as HTMLInputElement;
    expect(field.value).toBe(link.url);
    expect(document.querySelector(".jlink")?.textContent).toContain("あと 10 分有効です");
    expect(document.querySelector(".jlink")?.textContent).toContain("リンクはこのパソコン上でのみ使えます");
    await fireEvent.click(screen.getByRole("button", { name: "無効にする" }));
    await waitFor(() => expect(transport.called("ConferenceService", "RevokeJoinLink")[0]?.args).toEqual([link.url]));
    await waitFor(() => expect(document.querySelector(".jlink")).toBeNull());
  });

  it("says when a join link works from other computers (Settings → Join links)", async () => {
    linkReply = { ...link, url: "https://192.168.1.20:8443/join/abc?lang=en", network: true };
    try {
      await boot("en");
      await fireEvent.keyDown(window, { key: "l", code: "KeyL", altKey: true });
      const field = (await screen.findByLabelText("Join link for this call")) as HTMLInputElement;
      expect(field.value).toBe(linkReply.url);
      const text = document.querySelector(".jlink")?.textContent ?? "";
      expect(text).toContain("Links work from other computers on your network.");
      expect(text).not.toContain("on this computer only");
    } finally {
      linkReply = link;
    }
  });

  it("starts a lead's monitor call, switches its role and leaves", async () => {
    const { transport } = await boot();
    await fireEvent.click(screen.getByText("Monitor a rep"));
    await fireEvent.input(screen.getByLabelText("Rep's number or SIP address"), { target: { value: "sip:300@127.0.0.1" } });
    await fireEvent.click(screen.getByRole("button", { name: "Start" }));
    await waitFor(() => expect(transport.called("ConferenceService", "Monitor")[0]?.args).toEqual(["sip:300@127.0.0.1", "listen"]));
    transport.emit("call", call({ id: "m1", state: "connected", number: "300", remote: "sip:300@127.0.0.1" }));
    await waitFor(() => expect(document.querySelector(".incall")?.getAttribute("data-call")).toBe("m1"));
    await screen.findByText("You are listening. Nobody on the call hears you.");
    await fireEvent.click(screen.getByRole("radio", { name: "Whispering" }));
    await waitFor(() => expect(transport.called("ConferenceService", "SetMonitorRole")[0]?.args).toEqual(["m1", "whisper"]));
    await screen.findByText("You are whispering. Only the rep hears you.");
    await fireEvent.click(screen.getByRole("button", { name: "Leave without ending their call" }));
    await waitFor(() => expect(transport.called("CallsService", "Hangup")[0]?.args).toEqual(["m1"]));
  });

  it("tells the lead what to do when the rep's Pitchline refuses the monitor request (403)", async () => {
    const { transport } = await boot();
    await fireEvent.click(screen.getByText("Monitor a rep"));
    await fireEvent.input(screen.getByLabelText("Rep's number or SIP address"), { target: { value: "sip:300@127.0.0.1" } });
    await fireEvent.click(screen.getByRole("button", { name: "Start" }));
    await waitFor(() => expect(transport.called("ConferenceService", "Monitor")).toHaveLength(1));
    transport.emit("call", call({ id: "m1", state: "ended", cause: "failed", status: 403, reason: "Forbidden", number: "300" }));
    await screen.findByText(/refused to be monitored: ask them to add your address under Settings → Team leads/);
    expect(screen.queryByText(/Call failed/)).toBeNull();
  });
});

describe("a lead's Pitchline calling in to monitor the rep", () => {
  // The participant exactly as the app reports an inbound monitor leg
  // (app/monitor_test.go): no display name, the SIP user as the number.
  const dave = participant({ id: "m2", callId: "o1", name: "", number: "dave", remote: "sip:dave@127.0.0.1:5060", role: "listen" });
  for (const [lang, listening, whispering] of [
    ["en", "dave is listening to this call. The customer cannot hear them.", "dave is whispering to you. Only you can hear them."],
    ["ja", "dave がこの通話をモニターしています。お客様には聞こえません。", "dave があなたにささやいています。あなたにだけ聞こえます。"],
  ] as const) {
    it(`shows the rep the lead listening, then whispering, and drops the banner when the lead leaves (${lang})`, async () => {
      const { transport } = await boot(lang);
      transport.emit("conference", { callId: "o1", left: false, participants: [ann, dave] });
      const banner = await screen.findByText(listening);
      expect(banner.closest(".lead-banner")?.getAttribute("data-role")).toBe("listen");
      transport.emit("conference", { callId: "o1", left: false, participants: [ann, { ...dave, role: "whisper" }] });
      await screen.findByText(whispering);
      expect(screen.queryByText(listening)).toBeNull();
      transport.emit("conference", { callId: "o1", left: false, participants: [ann] });
      await waitFor(() => expect(document.querySelector(".lead-banner")).toBeNull());
      expect(document.querySelector(".incall")?.getAttribute("data-call")).toBe("o1");
    });
  }
});

describe("a refused attended transfer", () => {
  it("is told once, as the sentence saying what to do", async () => {
    setLocale("en");
    const { backend, transport } = fakeBackend({
      "SystemService.Snapshot": () => snapshot({ calls: [call({ id: "o1", state: "connected", participants: [ann] })] }),
      "HistoryService.List": () => [],
      "ContactsService.Get": () => ({}),
      "ConferenceService.Consult": () => colleague("k1"),
      "ConferenceService.CompleteTransfer": () => {
        throw { code: "transfer_failed", message: "The customer's phone did not accept the transfer.", detail: "REFER answered 405" };
      },
    });
    const store = new PhoneStore(backend);
    render(App, { props: { store } });
    await store.start();
    await store.consult("o1", "102");
    transport.emit("call", call({ id: "o1", state: "held", held: true }));
    transport.emit("call", { ...colleague("k1"), state: "connected" });
    await waitFor(() => expect(store.consultPair("k1")).not.toBeNull());
    transport.emit("transfer", { callId: "o1", target: "sip:102@127.0.0.1", status: 405, reason: "Method Not Allowed", final: true, ok: false });
    expect(await store.completeTransfer("k1")).toBe(false);
    await waitFor(() => expect(store.toasts).toHaveLength(1));
    expect(store.toasts[0].error?.code).toBe("transfer_failed");
  });
});
