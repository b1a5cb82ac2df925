// Global keyboard shortcuts. Alt+letter works while typing in a field; "?"
// and "/" only when focus is not in a text field. KeyboardEvent.code is used
// so the shortcuts work on any keyboard layout (and with a Japanese IME).
import type { MessageKey } from "./i18n/en";

/** ShortcutAction names what a shortcut does. */
export type ShortcutAction =
  | "answer" | "hangup" | "mute" | "hold" | "dialpad" | "search" | "help" | "escape"
  | "addParticipant" | "merge"
  | "consult" | "completeTransfer" | "cancelConsult" | "joinLink"
  | "dialerDial" | "dialerSkip" | "dialerPause" | "dialerStop"
  | "scriptChoice" | "scriptBack";

/** Shortcut describes one shortcut for matching and for the help overlay. */
export interface Shortcut {
  action: ShortcutAction;
  /** keys shows the combination in the help overlay and README. */
  keys: string;
  /** help is the dictionary key of the description. */
  help: MessageKey;
}

/** SHORTCUTS lists every shortcut in the order the help overlay shows them. */
export const SHORTCUTS: readonly Shortcut[] = [
  { action: "answer", keys: "Alt+A", help: "help.answer" },
  { action: "hangup", keys: "Alt+E", help: "help.hangup" },
  { action: "mute", keys: "Alt+M", help: "help.mute" },
  { action: "hold", keys: "Alt+H", help: "help.hold" },
  { action: "dialpad", keys: "Alt+D", help: "help.dialpad" },
  { action: "addParticipant", keys: "Alt+I", help: "help.addParticipant" },
  { action: "merge", keys: "Alt+G", help: "help.merge" },
  { action: "consult", keys: "Alt+C", help: "help.consult" },
  { action: "completeTransfer", keys: "Alt+T", help: "help.completeTransfer" },
  { action: "cancelConsult", keys: "Alt+R", help: "help.cancelConsult" },
  { action: "joinLink", keys: "Alt+L", help: "help.joinLink" },
  { action: "search", keys: "Alt+S  /", help: "help.search" },
  { action: "dialerDial", keys: "Alt+N", help: "help.dialerDial" },
  { action: "dialerSkip", keys: "Alt+K", help: "help.dialerSkip" },
  { action: "dialerPause", keys: "Alt+P", help: "help.dialerPause" },
  { action: "dialerStop", keys: "Alt+X", help: "help.dialerStop" },
  { action: "scriptChoice", keys: "Alt+1…9", help: "help.scriptChoice" },
  { action: "scriptBack", keys: "Alt+B", help: "help.scriptBack" },
  { action: "help", keys: "?", help: "help.help" },
  { action: "escape", keys: "Esc", help: "help.escape" },
];

const ALT_CODES: Record<string, ShortcutAction> = {
  KeyA: "answer",
  KeyE: "hangup",
  KeyM: "mute",
  KeyH: "hold",
  KeyD: "dialpad",
  KeyS: "search",
  KeyI: "addParticipant",
  KeyG: "merge",
  KeyC: "consult",
  KeyT: "completeTransfer",
  KeyR: "cancelConsult",
  KeyL: "joinLink",
  KeyN: "dialerDial",
  KeyK: "dialerSkip",
  KeyP: "dialerPause",
  KeyX: "dialerStop",
  KeyB: "scriptBack",
};

/**
 * scriptChoiceKey returns 1-9 for Alt+1..Alt+9 (the call script's choices;
 * the digit row or the keypad, by code so any layout works), else 0.
 */
export function scriptChoiceKey(e: KeyboardEvent): number {
  const m = /^(?:Digit|Numpad)([1-9])$/.exec(e.code);
  return m ? Number(m[1]) : 0;
}

/** keysOf returns the key combination of action, for buttons that show it. */
export function keysOf(action: ShortcutAction): string {
  return SHORTCUTS.find((s) => s.action === action)?.keys ?? "";
}

/** shortcutKeys returns the keys of an action as the help overlay shows them. */
export function shortcutKeys(action: ShortcutAction): string {
  return SHORTCUTS.find((s) => s.action === action)?.keys ?? "";
}

function isTextField(el: EventTarget | null): boolean {
  if (!(el instanceof HTMLElement)) return false;
  if (el.isContentEditable) return true;
  if (el instanceof HTMLTextAreaElement) return true;
  if (el instanceof HTMLInputElement) return !["button", "checkbox", "radio", "submit", "range"].includes(el.type);
  return el instanceof HTMLSelectElement;
}

/** matchShortcut returns the action for a keydown event, or null. */
export function matchShortcut(e: KeyboardEvent): ShortcutAction | null {
  if (e.altKey && !e.ctrlKey && !e.metaKey) return ALT_CODES[e.code] ?? (scriptChoiceKey(e) ? "scriptChoice" : null);
  if (e.ctrlKey || e.metaKey || e.altKey) return null;
  if (e.key === "Escape") return "escape";
  if (isTextField(e.target)) return null;
  if (e.key === "?") return "help";
  if (e.key === "/") return "search";
  return null;
}
