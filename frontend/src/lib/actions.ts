// Callback shapes shared by components and their tests.
import type { JoinLinkView, Role } from "./contract";
import type { ConsultPair } from "./calltools";

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

/** ConferenceActions are what the conference panel's controls do. */
export interface ConferenceActions {
  /** add dials target (number, contact's number, SIP address) into call id. */
  add(id: string, target: string): void;
  /** merge brings every participant of otherId into id. */
  merge(id: string, otherId: string): void;
  hold(id: string, legId: string): void;
  resume(id: string, legId: string): void;
  mute(id: string, legId: string, on: boolean): void;
  remove(id: string, legId: string): void;
  leave(id: string): void;
  endAll(id: string): void;
}

/** CallToolsActions are the conference panel's call tools: a lead's role,
 * attended transfer, a lead's own monitor call and join links. */
export interface CallToolsActions {
  /** pair is the attended transfer call id is part of (reads store state). */
  pair(id: string): ConsultPair | null;
  /** monitorRole is the role of this lead's own monitor call id, if it is one. */
  monitorRole(id: string): Role | undefined;
  /** links are the join links made for call id, newest first. */
  links(id: string): JoinLinkView[];
  invite(id: string, target: string, role: Role): void;
  setRole(id: string, legId: string, role: Role): void;
  consult(id: string, target: string): void;
  completeTransfer(id: string): void;
  cancelConsult(id: string): void;
  setMonitorRole(id: string, role: Role): void;
  hangup(id: string): void;
  createJoinLink(id: string): void;
  revokeJoinLink(id: string, url: string): void;
}

/** IncomingActions are what the incoming-call pop's buttons do. */
export interface IncomingActions {
  answer(id: string): void;
  ignore(id: string): void;
  forward(id: string): void;
}
