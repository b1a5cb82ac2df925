// The call scripts with their sections (ScriptsService) and where the rep
// is in each call's script. One instance per window (scriptsStore); App
// attaches the backend. The list reloads on event "settings", which the
// backend emits after every script change (and after the settings form).
import type { CallScriptView } from "./contract";
import type { Backend } from "./backend";
import { startRun, type ScriptRun } from "./script";

/** ScriptsStore holds the scripts and the per-call runs. */
export class ScriptsStore {
  list = $state<CallScriptView[]>([]);
  loaded = $state(false);
  /** runs maps a call id to the rep's place in its script. */
  runs = $state<Record<string, ScriptRun>>({});

  private backend: Backend | null = null;
  private unsub: (() => void) | null = null;
  private seq = 0;

  /** attach starts following backend (idempotent for the same backend). */
  attach(backend: Backend): void {
    if (this.backend === backend) return;
    this.close();
    this.backend = backend;
    this.unsub = backend.on("settings", () => void this.reload());
  }

  /** reload reads the scripts; a slower older answer never overwrites a newer one. */
  async reload(): Promise<void> {
    if (!this.backend) return;
    const n = ++this.seq;
    try {
      const list = await this.backend.scripts.list();
      if (n === this.seq) {
        this.list = list ?? [];
        this.loaded = true;
      }
    } catch {
      // The settings view shows the backend's errors; the call view keeps the last list.
    }
  }

  /** runFor returns call's run in script (a new run when the call had none, or another script). */
  runFor(callId: string, script: CallScriptView): ScriptRun {
    const r = this.runs[callId];
    return r && r.scriptId === script.id ? r : startRun(script);
  }

  setRun(callId: string, run: ScriptRun): void {
    this.runs[callId] = run;
  }

  /** outcomeFor is the outcome label the call's script choices pre-select ("" = none). */
  outcomeFor(callId: string): string {
    return this.runs[callId]?.outcome ?? "";
  }

  /** forget drops a call's run once its form is saved or dismissed. */
  forget(callId: string): void {
    delete this.runs[callId];
  }

  close(): void {
    this.unsub?.();
    this.unsub = null;
    this.backend = null;
  }
}

/** scriptsStore is the window's ScriptsStore. */
export const scriptsStore = new ScriptsStore();
