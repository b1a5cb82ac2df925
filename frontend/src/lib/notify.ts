// Desktop notifications for incoming calls through the Notification API
// (WebKitGTK maps it to the desktop's notification service; browsers show
// their own). Permission is asked once, on the user's first interaction.
import type { CallView } from "./contract";
import { t } from "./i18n/index.svelte";

/** askNotificationPermission requests permission on the first click or key. */
export function askNotificationPermission(target: EventTarget = window): void {
  if (typeof Notification === "undefined" || Notification.permission !== "default") return;
  const ask = () => {
    target.removeEventListener("pointerdown", ask);
    target.removeEventListener("keydown", ask);
    void Notification.requestPermission().catch(() => {});
  };
  target.addEventListener("pointerdown", ask);
  target.addEventListener("keydown", ask);
}

/** notifyIncoming shows a desktop notification for an incoming call when permitted. */
export function notifyIncoming(call: CallView): Notification | null {
  if (typeof Notification === "undefined" || Notification.permission !== "granted") return null;
  const cid = call.callerId;
  const caller = cid?.known && cid.name ? cid.name : cid?.formatted || call.display || call.number;
  const body = [cid?.company, cid?.dealName].filter(Boolean).join(" · ");
  try {
    const n = new Notification(t("incoming.notification", { caller }), { body, tag: `call-${call.id}`, requireInteraction: true });
    n.onclick = () => {
      window.focus();
      n.close();
    };
    return n;
  } catch {
    return null;
  }
}
