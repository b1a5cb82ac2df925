import "./style.css";
import { mount } from "svelte";
import App from "./App.svelte";
import { api } from "./lib/backend";
import { PhoneStore } from "./lib/store.svelte";
import { askNotificationPermission, notifyIncoming } from "./lib/notify";

/**
 * dialpadAcceptsFocus checks that the dialpad's number field is on screen
 * and takes keyboard focus, then gives focus back to where it was. Together
 * with "snapshot applied" and "painted" it is what the startup benchmark
 * counts as interactive (BENCHMARKS.md, "Desktop window").
 */
function dialpadAcceptsFocus(): boolean {
  const input = document.querySelector<HTMLInputElement>("input.dial-input");
  if (!input) return false;
  const prev = document.activeElement as HTMLElement | null;
  input.focus({ preventScroll: true });
  const ok = document.activeElement === input;
  if (prev && prev !== input && typeof prev.focus === "function") prev.focus({ preventScroll: true });
  else if (!prev || prev === document.body) input.blur();
  return ok;
}

/** afterPaint resolves after the browser has painted the current DOM (two frames). */
function afterPaint(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve())));
}

const backend = api();
const store = new PhoneStore(backend, { notify: notifyIncoming });
const target = document.querySelector<HTMLElement>("#app");
if (target) {
  target.replaceChildren();
  mount(App, { target, props: { store } });
  askNotificationPermission();
  void (async () => {
    // Snapshot and version in parallel; the version call is what the desktop
    // smoke test sees as "version served".
    const [, version] = await Promise.all([store.start(), backend.system.version().catch(() => "")]);
    await afterPaint();
    const interactive = store.ready && dialpadAcceptsFocus();
    // demoBanner: the window shows the labelled demo line (a fresh install).
    const demoBanner = document.querySelector(".demo-banner") !== null;
    backend.ready(version || store.version ? { version: version || store.version, interactive, demoBanner } : { error: store.loadError?.code ?? "internal", interactive });
  })();
}
