/**
 * The unresolved links of a trace's EPCIS events, from the serving index: what the store's join of
 * `epcis_unresolved` with the standing rows of `epcis_events` answers, in its order, without a
 * store statement (a trace of EPCIS events then waits on chDB for nothing).
 */
import type { UnresolvedLinkRow } from '../trace/trace-reads.js';
import type { LmdbServingIndex } from './lmdb-serving-index.js';
import { entries, keysWithPrefixes } from './lmdb-scans.js';
import { prefixRange } from './serving-rows.js';
import { byColumns } from './utf8-order.js';

const inOrder = byColumns<UnresolvedLinkRow>(
  (link) => link.epcisEventId,
  (link) => link.path,
  (link) => link.id,
  (link) => link.reason,
);

export function lmdbUnresolvedLinks(
  index: LmdbServingIndex,
): (eventIds: readonly string[]) => UnresolvedLinkRow[] {
  const declared = (epcisEventId: string) =>
    index.db.epcisDeclarations.getKeysCount(prefixRange(epcisEventId)) > 0;
  return (eventIds) => {
    const standing = new Set<string>();
    // Keyed [derivedEventId, epcisEventId, eventId].
    for (const [, epcisEventId = ''] of keysWithPrefixes(
      index,
      'epcisDerivations',
      new Set(eventIds),
    )) {
      if (!declared(epcisEventId)) standing.add(epcisEventId);
    }
    const links = new Map<string, UnresolvedLinkRow>();
    for (const epcisEventId of standing) {
      for (const { parts, value: reason } of entries(index, 'epcisUnresolved', epcisEventId)) {
        const [, path = '', id = ''] = parts;
        links.set(JSON.stringify([epcisEventId, path, id, reason]), {
          epcisEventId,
          path,
          id,
          reason,
        });
      }
    }
    return [...links.values()].sort(inOrder);
  };
}
