import { describe, expect, it } from 'vitest';
import { custodyTiers, recallShare } from '../../../services/recall/recall-reach.js';
import type { ScopeFacts } from '../../../services/recall/recall-scope.js';
import type {
  BatchRow,
  DerivationRow,
  ReceiptRow,
  ShipmentRow,
} from '../../../services/common/trace/trace-reads.js';

const AT = '2026-11-01T00:00:00.000Z';
const batch = (batchId: string, producer: string): BatchRow => ({
  batchId,
  eventId: `e-${batchId}`,
  productId: 'p',
  productName: 'p',
  producer,
  operator: null,
  quantity: 100,
  unit: 'kg',
  producedAt: AT,
  hasInputs: false,
});
const shipment = (batchId: string, from: string, to: string): ShipmentRow => ({
  shipmentId: `S-${from}-${to}`,
  batchId,
  eventId: `e-s-${from}-${to}-${batchId}`,
  from,
  to,
  operator: null,
  quantity: 1,
  unit: 'kg',
  shippedAt: AT,
});
const receipt = (batchId: string, from: string, receiver: string): ReceiptRow => ({
  shipmentId: `R-${from}-${receiver}`,
  batchId,
  eventId: `e-r-${from}-${receiver}-${batchId}`,
  receiver,
  from,
  operator: null,
  quantity: 1,
  unit: 'kg',
  receivedAt: AT,
});
const derivation = (input: string, output: string, party: string): DerivationRow => ({
  input,
  output,
  eventId: `e-${output}`,
  party,
  operator: null,
  quantity: 1,
  unit: 'kg',
  at: AT,
});

/**
 * maker makes ROOT; ships it to dist and to proc; dist ships it to shop; proc makes MADE from it
 * and ships MADE to retail; a receipt-only line brings ROOT from dist to kiosk.
 */
const facts: ScopeFacts = {
  affected: new Set(['ROOT', 'MADE']),
  batches: [batch('ROOT', 'maker'), batch('MADE', 'proc')],
  derivations: [derivation('ROOT', 'MADE', 'proc')],
  shipments: [
    shipment('ROOT', 'maker', 'dist'),
    shipment('ROOT', 'maker', 'proc'),
    shipment('ROOT', 'dist', 'shop'),
    shipment('MADE', 'proc', 'retail'),
  ],
  receipts: [receipt('ROOT', 'dist', 'kiosk')],
};

describe('custody tiers of a recall', () => {
  it('counts custody steps from the root batches’ producers', () => {
    expect(Object.fromEntries(custodyTiers(facts, ['ROOT']))).toEqual({
      maker: 0,
      dist: 1,
      proc: 1,
      shop: 2,
      kiosk: 2,
      retail: 2,
    });
  });

  it('starts where the records start when a holder’s source is unrecorded, and never loops', () => {
    const loose: ScopeFacts = {
      ...facts,
      // dist and shop pass the batch back and forth; the maker's shipment to dist is unrecorded.
      shipments: [shipment('ROOT', 'dist', 'shop'), shipment('ROOT', 'shop', 'dist')],
      receipts: [],
      derivations: [],
      batches: [batch('ROOT', 'maker')],
    };
    expect(Object.fromEntries(custodyTiers(loose, ['ROOT']))).toEqual({
      maker: 0,
      dist: 0,
      shop: 0,
    });
  });
});

describe('what a party may see of a recall', () => {
  it('names the maker its customers, and the makers of what was made from its batch', () => {
    const share = recallShare(facts, 'maker');
    expect([...share.parties].sort()).toEqual(['dist', 'maker', 'proc']);
    expect([...share.batchIds].sort()).toEqual(['MADE', 'ROOT']);
  });

  it('names a shop its supplier and the makers of what it holds and of what was made from it', () => {
    // As the shop's trace does: MADE was made from ROOT, a batch the shop handled (one down).
    const share = recallShare(facts, 'shop');
    expect([...share.parties].sort()).toEqual(['dist', 'maker', 'proc', 'shop']);
    expect([...share.batchIds].sort()).toEqual(['MADE', 'ROOT']);
    expect(share.parties.has('retail')).toBe(false);
  });

  it('names a party off the chain only itself', () => {
    expect([...recallShare(facts, 'stranger').parties]).toEqual(['stranger']);
  });
});
