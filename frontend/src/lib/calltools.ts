// Pure logic behind the call tools of the conference panel: the attended
// transfer's pair of calls, the team leads monitoring a call (rep's side),
// the next role of a lead's own monitor call, and a join link's expiry.
import type { CallView, ParticipantView, Role } from "./contract";
import type { MessageKey } from "./i18n/en";

/** LEAD_ROLES are the roles of a team lead in a call, in switching order. */
export const LEAD_ROLES: readonly Role[] = ["listen", "whisper", "barge"];

/** ROLES are every participant role, as the role menus offer them. */
export const ROLES: readonly Role[] = ["participant", ...LEAD_ROLES];

/** ROLE_LABEL names each role (menus, state lines). */
export const ROLE_LABEL: Record<Role, MessageKey> = {
  participant: "conf.role.participant", listen: "conf.role.listen", whisper: "conf.role.whisper", barge: "conf.role.barge",
};
/** ROLE_OPTION describes each role where the rep chooses one (who hears them). */
export const ROLE_OPTION: Record<Role, MessageKey> = {
  participant: "conf.roleOpt.participant", listen: "conf.roleOpt.listen", whisper: "conf.roleOpt.whisper", barge: "conf.roleOpt.barge",
};
/** LEAD_BANNER is the rep's banner sentence per lead role. */
export const LEAD_BANNER: Record<Role, MessageKey> = {
  participant: "conf.lead.barge", listen: "conf.lead.listen", whisper: "conf.lead.whisper", barge: "conf.lead.barge",
};
/** MONITOR_STATE tells the lead what their role means, on their monitor call. */
export const MONITOR_STATE: Record<Role, MessageKey> = {
  participant: "mon.state.barge", listen: "mon.state.listen", whisper: "mon.state.whisper", barge: "mon.state.barge",
};

const UP = new Set(["connected", "held", "remote_held", "dialing", "ringing", "answering"]);

/** ConsultPair is an attended transfer in progress: the customer (held) and
 * the consultation call to the colleague. */
export interface ConsultPair { customer: CallView; consult: CallView }

/**
 * consultPair finds the attended transfer call id belongs to (as the
 * customer or as the consultation call), given consults (customer id →
 * consultation id) and the live calls; null when there is none or one of
 * the two calls has ended.
 */
export function consultPair(consults: Record<string, string>, calls: CallView[], id: string): ConsultPair | null {
  let customerId = consults[id] ? id : "";
  if (!customerId) customerId = Object.keys(consults).find((k) => consults[k] === id) ?? "";
  if (!customerId) return null;
  const customer = calls.find((c) => c.id === customerId);
  const consult = calls.find((c) => c.id === consults[customerId]);
  if (!customer || !consult || !UP.has(customer.state) || !UP.has(consult.state)) return null;
  return { customer, consult };
}

/** pruneConsults drops the transfers whose customer or consultation call is gone. */
export function pruneConsults(consults: Record<string, string>, live: Set<string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(consults)) if (live.has(k) && live.has(v)) out[k] = v;
  return out;
}

/** monitoringLeads are the participants of a call who are team leads
 * (listening, whispering or barged in), for the rep's banner. Ended legs
 * and legs still ringing do not count. */
export function monitoringLeads(parts: ParticipantView[] | undefined): ParticipantView[] {
  return (parts ?? []).filter((p) => LEAD_ROLES.includes(p.role) && p.state !== "ended" && p.state !== "dialing" && p.state !== "ringing");
}

/** nextLeadRole is the role after role in listen → whisper → barge (barge stays). */
export function nextLeadRole(role: Role): Role {
  const i = LEAD_ROLES.indexOf(role);
  return LEAD_ROLES[Math.min(LEAD_ROLES.length - 1, i + 1)] ?? "listen";
}

/** expiresIn is the whole minutes left until an RFC 3339 time (0 once past). */
export function expiresIn(expires: string, now: number): number {
  const at = Date.parse(expires);
  if (!Number.isFinite(at)) return 0;
  return Math.max(0, Math.ceil((at - now) / 60_000));
}
