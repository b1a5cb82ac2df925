// Maps backend enum strings to dictionary text.
import { t, type MessageKey } from "./i18n/index.svelte";
import type { CallView, RegState } from "./contract";

const PHONE_TYPES: Record<string, MessageKey> = {
  mobile: "phoneType.mobile",
  cell: "phoneType.mobile",
  work: "phoneType.work",
  office: "phoneType.work",
  home: "phoneType.home",
  main: "phoneType.main",
  fax: "phoneType.fax",
};

const CRM_NAMES: Record<string, MessageKey> = {
  hubspot: "crm.vendor.hubspot",
  pipedrive: "crm.vendor.pipedrive",
  sell: "crm.vendor.sell",
  zoho: "crm.vendor.zoho",
};

/** crmName is a CRM's name as a rep knows it ("Zendesk Sell" for "sell"); an unknown vendor as given. */
export function crmName(vendor: string): string {
  const k = CRM_NAMES[vendor];
  return k ? t(k) : vendor;
}

/** phoneLabel translates a contact phone label ("work", "mobile", ...). */
export function phoneLabel(label: string): string {
  const k = PHONE_TYPES[label.toLowerCase()];
  return k ? t(k) : label ? label : t("phoneType.other");
}

/** callStateKey returns the dictionary key describing a call's state. */
export function callStateKey(c: Pick<CallView, "state" | "held" | "remoteHeld">): MessageKey {
  if (c.held || c.state === "held") return "call.state.held";
  if (c.remoteHeld || c.state === "remote_held") return "call.state.remoteHeld";
  switch (c.state) {
    case "dialing":
      return "call.state.calling";
    case "ringing":
      return "call.state.ringing";
    case "incoming":
    case "answering":
      return "call.state.incoming";
    case "connected":
      return "call.state.connected";
    case "ended":
      return "call.state.ended";
    default:
      return "call.state.idle";
  }
}

/** regStateText names an account registration state in one or two words
 * (the reason is shown apart, behind the chip). */
export function regStateText(state: RegState | string): string {
  switch (state) {
    case "registered":
      return t("account.registered");
    case "registering":
      return t("account.registering");
    case "reconnecting":
      return t("account.reconnecting");
    case "failed":
      return t("account.failedShort");
    default:
      return t("account.unregistered");
  }
}

/** callerName is the best display name for a call or history entry. */
export function callerName(c: { callerId: CallView["callerId"]; display?: string; number: string }): string {
  return c.callerId?.name || c.display || c.callerId?.formatted || c.number || t("call.unknownCaller");
}
