import "./style.css";
import { mount } from "svelte";
import App from "./App.svelte";
import { api } from "./lib/backend";
import { PhoneStore } from "./lib/store.svelte";
import { askNotificationPermission, notifyIncoming } from "./lib/notify";

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
    backend.ready(version || store.version ? { version: version || store.version } : { error: store.loadError?.code ?? "internal" });
  })();
}
