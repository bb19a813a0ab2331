/**
 * Pure: who must be told about a recall, and of which batches. Every party that produced,
 * processed, shipped or was shipped an affected batch (received or still in transit) gets one
 * notice listing the affected batches it handled, with quantities.
 */
import { stableUuid } from '../common/stable-id.js';
import type { BatchRow, ReceiptRow, ShipmentRow } from '../common/trace/trace-reads.js';

export interface ScopeRows {
  /** The affected batches: the roots and everything derived from them. */
  readonly affected: ReadonlySet<string>;
  readonly batches: readonly BatchRow[];
  readonly shipments: readonly ShipmentRow[];
  readonly receipts: readonly ReceiptRow[];
}

export interface NoticeLine {
  readonly batchId: string;
  readonly quantity: number;
  readonly unit: string;
}

export interface PlannedNotice {
  readonly recipient: string;
  readonly batches: NoticeLine[];
  readonly actions: string[];
}

type Handling = 'produced' | 'received' | 'shipped';

/** What a holder does with recalled stock, and what a producer or processor does on top. */
const HOLDER_ACTIONS = ['STOP_SALE', 'QUARANTINE', 'RETURN_OR_DESTROY'];
const PRODUCER_ACTIONS = ['STOP_USE_AS_INPUT', 'NOTIFY_CUSTOMERS'];

/** The quantity a party handled: what it made, else what reached it, else what it sent. */
const PRECEDENCE: Handling[] = ['produced', 'received', 'shipped'];

class Handled {
  private readonly byParty = new Map<string, Map<string, Map<Handling, NoticeLine>>>();

  add(party: string, how: Handling, line: NoticeLine): void {
    const batches = this.byParty.get(party) ?? new Map<string, Map<Handling, NoticeLine>>();
    const ways = batches.get(line.batchId) ?? new Map<Handling, NoticeLine>();
    const seen = ways.get(how);
    ways.set(how, seen ? { ...seen, quantity: seen.quantity + line.quantity } : line);
    batches.set(line.batchId, ways);
    this.byParty.set(party, batches);
  }

  notices(): PlannedNotice[] {
    return [...this.byParty.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([recipient, batches]) => {
        const lines = [...batches.entries()]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([, ways]) => PRECEDENCE.map((how) => ways.get(how)).find(Boolean) as NoticeLine);
        const produces = [...batches.values()].some((ways) => ways.has('produced'));
        return {
          recipient,
          batches: lines,
          actions: produces ? [...HOLDER_ACTIONS, ...PRODUCER_ACTIONS] : HOLDER_ACTIONS,
        };
      });
  }
}

export function planNotices(scope: ScopeRows): PlannedNotice[] {
  const handled = new Handled();
  for (const batch of scope.batches) {
    if (!scope.affected.has(batch.batchId)) continue;
    handled.add(batch.producer, 'produced', {
      batchId: batch.batchId,
      quantity: batch.quantity,
      unit: batch.unit,
    });
  }
  for (const shipment of scope.shipments) {
    if (!scope.affected.has(shipment.batchId)) continue;
    const line = { batchId: shipment.batchId, quantity: shipment.quantity, unit: shipment.unit };
    handled.add(shipment.to, 'received', line);
    handled.add(shipment.from, 'shipped', line);
  }
  const shipped = new Set(scope.shipments.map((s) => `${s.shipmentId}\u0000${s.batchId}`));
  for (const receipt of scope.receipts) {
    if (!scope.affected.has(receipt.batchId)) continue;
    if (shipped.has(`${receipt.shipmentId}\u0000${receipt.batchId}`)) continue;
    handled.add(receipt.receiver, 'received', {
      batchId: receipt.batchId,
      quantity: receipt.quantity,
      unit: receipt.unit,
    });
  }
  return handled.notices();
}

/** One notice per recall and recipient, whoever computes it and however often. */
export const noticeIdFor = (recallId: string, recipient: string): string =>
  stableUuid(`recall-notice/${recallId}/${recipient}`);
