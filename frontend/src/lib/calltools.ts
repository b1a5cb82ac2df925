// Pure logic behind the call tools of the conference panel: the attended
// transfer's pair of calls, the team leads monitoring a call (rep's side),
// the next role of a lead's own monitor call, and a join link's expiry.
import type { CallView, ParticipantView, Role } from "./contract";

/** LEAD_ROLES are the roles of a team lead in a call, in switching order. */
export const LEAD_ROLES: readonly Role[] = ["listen", "whisper", "barge"];

/** ROLES are every participant role, as the role menus offer them. */
export const ROLES: readonly Role[] = ["participant", ...LEAD_ROLES];

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
