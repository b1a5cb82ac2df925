// Callback shapes shared by components and their tests.

/** CallActions are what the in-call panel's controls do. */
export interface CallActions {
  hangup(id: string): void;
  mute(id: string, on: boolean): void;
  hold(id: string): void;
  resume(id: string): void;
  dtmf(id: string, digits: string): void;
  transfer(id: string, target: string): void;
  /** notes reports the draft; now=true saves it at once (blur). */
  notes(id: string, notes: string, now?: boolean): void;
}

/** IncomingActions are what the incoming-call pop's buttons do. */
export interface IncomingActions {
  answer(id: string): void;
  ignore(id: string): void;
  forward(id: string): void;
}
