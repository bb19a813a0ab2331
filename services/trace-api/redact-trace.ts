/**
 * Pure: the part of a trace a party that is not a regulator may see, by the one-up/one-down rule
 * (common/trace/one-up-one-down.ts, shared with recalls). Everything else is left out, and the
 * trace says it was redacted.
 */
import type { Trace } from '../common/api/trace.js';
import { oneUpOneDown } from '../common/trace/one-up-one-down.js';
import type { AssembledTrace } from './assemble-trace.js';

/** True in `redacted` when something was left out under the one-up/one-down rule. */
export type RedactedTrace = Trace;

/** The party's view, or undefined when the root is not within one step of what it handled. */
export function redactTrace(trace: AssembledTrace, partyId: string): RedactedTrace | undefined {
  const share = oneUpOneDown(trace, partyId);
  if (!share.batchIds.has(trace.root)) return undefined;
  const parties = trace.parties
    .filter((party) => share.parties.has(party.partyId))
    .map((party) => ({
      ...party,
      involvement: party.involvement.filter((inv) => share.parties.get(party.partyId)?.has(inv)),
    }));
  return {
    ...trace,
    batches: share.batches,
    derivations: share.derivations,
    shipments: share.shipments,
    inspections: share.inspections,
    parties,
    redacted: share.redacted || parties.length < trace.parties.length,
  };
}
