// Placeholder screen: shows that the calling core is wired up and which
// version the Go backend reports. The real UI replaces this module.

/** Error shape produced by the Go ErrorFormatter (app.ErrorPayload). */
export interface BackendError {
  code: string;
  message: string;
}

/** What the placeholder screen needs from the backend. */
export interface Backend {
  /** Resolves to the application version (SystemService.Version). */
  version(): Promise<string>;
  /** Emits a Wails event to the Go side. */
  emit(event: string, ...data: unknown[]): void;
}

/** Event emitted once the first screen is rendered (app.EventUIReady). */
export const EVENT_UI_READY = "ui:ready";

/** Turns a rejected bound call into a BackendError. */
export function toBackendError(err: unknown): BackendError {
  if (typeof err === "object" && err !== null && "code" in err && "message" in err) {
    const e = err as { code: unknown; message: unknown };
    return { code: String(e.code), message: String(e.message) };
  }
  if (err instanceof Error) {
    return { code: "internal", message: err.message };
  }
  return { code: "internal", message: String(err) };
}

/** Resolves after the browser has painted the current DOM (two frames). */
export function afterPaint(): Promise<void> {
  if (typeof requestAnimationFrame !== "function") {
    return Promise.resolve();
  }
  return new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve())));
}

/**
 * Renders the placeholder screen into root, then emits EVENT_UI_READY once
 * the result is painted (the desktop smoke test screenshots on that event).
 */
export async function render(root: HTMLElement, backend: Backend): Promise<void> {
  const title = document.createElement("h1");
  title.textContent = "Pitchline";
  const status = document.createElement("p");
  status.className = "status";
  status.textContent = "Pitchline \u2014 calling core ready; UI coming";
  const version = document.createElement("p");
  version.className = "version";
  version.textContent = "version \u2026";
  root.replaceChildren(title, status, version);

  try {
    const v = await backend.version();
    version.textContent = `version ${v}`;
    await afterPaint();
    backend.emit(EVENT_UI_READY, { version: v });
  } catch (err) {
    const e = toBackendError(err);
    version.className = "version error";
    version.textContent = `version unavailable (${e.code}): ${e.message}`;
    await afterPaint();
    backend.emit(EVENT_UI_READY, { error: e.code });
  }
}
