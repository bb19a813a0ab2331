import { describe, expect, it } from 'vitest';
import {
  assembleTrace,
  nameParties,
  matchShipments,
  type TraceInput,
  type TraceRows,
} from '../../../services/trace-api/assemble-trace.js';
import type {
  BatchRow,
  DerivationRow,
  InspectionRow,
  ReceiptRow,
  ShipmentRow,
} from '../../../services/common/trace/trace-reads.js';

const T = (day: number) => `2026-11-${String(day).padStart(2, '0')}T08:00:00.000Z`;

const batch = (batchId: string, producer: string, hasInputs: boolean): BatchRow => ({
  batchId,
  eventId: `ev-produce-${batchId}`,
  productId: `gtin-${batchId}`,
  productName: `product ${batchId}`,
  producer,
  operator: 'Wang Fang',
  quantity: 100,
  unit: 'kg',
  producedAt: T(1),
  hasInputs,
});

const derivation = (input: string, output: string, party: string): DerivationRow => ({
  input,
  output,
  eventId: `ev-produce-${output}`,
  party,
  operator: 'Wang Fang',
  quantity: 50,
  unit: 'kg',
  at: T(2),
});

const shipment = (shipmentId: string, batchId: string, from: string, to: string): ShipmentRow => ({
  shipmentId,
  batchId,
  eventId: `ev-ship-${shipmentId}`,
  from,
  to,
  operator: 'Li Lei',
  quantity: 40,
  unit: 'kg',
  shippedAt: T(3),
});

const receipt = (
  shipmentId: string,
  batchId: string,
  receiver: string,
  from: string,
): ReceiptRow => ({
  shipmentId,
  batchId,
  eventId: `ev-receive-${shipmentId}`,
  receiver,
  from,
  operator: 'Zhao Min',
  quantity: 40,
  unit: 'kg',
  receivedAt: T(4),
});

const inspection = (
  batchId: string,
  inspector: string,
  result: 'PASS' | 'FAIL',
): InspectionRow => ({
  inspectionId: `insp-${batchId}-${result}`,
  batchId,
  eventId: `ev-inspect-${batchId}-${result}`,
  inspector,
  operator: null,
  kind: 'SUPERVISORY_SAMPLING',
  result,
  standard: 'GB 19644-2024',
  report: 'R-1',
  findings: '[{"item":"melamine","value":"3.1","limit":"2.5","unit":"mg/kg"}]',
  at: T(5),
});

const noRows: TraceRows = {
  batches: [],
  derivations: [],
  shipments: [],
  receipts: [],
  inspections: [],
  recalledBatchIds: new Set(),
};

function givenTrace(depths: Record<string, number>, rows: Partial<TraceRows>): TraceInput {
  return {
    root: 'MILK-1',
    direction: 'both',
    limits: { maxDepth: 8, maxNodes: 100 },
    depthOf: new Map(Object.entries(depths)),
    truncated: false,
    rows: { ...noRows, ...rows },
  };
}

describe('assembleTrace', () => {
  it('names each party with what it did in the chain', () => {
    const input = givenTrace(
      { 'MILK-1': 0, 'POWDER-1': 1 },
      {
        batches: [batch('MILK-1', 'farm', false), batch('POWDER-1', 'dairy', true)],
        derivations: [derivation('MILK-1', 'POWDER-1', 'dairy')],
        shipments: [shipment('S-1', 'POWDER-1', 'dairy', 'shop')],
        inspections: [inspection('POWDER-1', 'lab', 'PASS')],
      },
    );

    const trace = nameParties(
      assembleTrace(input),
      new Map([
        ['farm', 'Green Pasture Farm'],
        ['dairy', 'Bright Dairy'],
      ]),
    );

    expect(trace.parties).toEqual([
      { partyId: 'dairy', name: 'Bright Dairy', involvement: ['processor', 'shipper'] },
      { partyId: 'farm', name: 'Green Pasture Farm', involvement: ['producer'] },
      { partyId: 'lab', name: null, involvement: ['inspector'] },
      { partyId: 'shop', name: null, involvement: ['receiver'] },
    ]);
    expect(trace.derivations).toEqual([derivation('MILK-1', 'POWDER-1', 'dairy')]);
  });

  it('shows a shipment still in transit with receivedAt null', () => {
    const trace = assembleTrace(
      givenTrace({ 'MILK-1': 0 }, { shipments: [shipment('S-1', 'MILK-1', 'farm', 'dairy')] }),
    );

    expect(trace.shipments).toEqual([
      {
        shipmentId: 'S-1',
        batchId: 'MILK-1',
        from: 'farm',
        to: 'dairy',
        quantity: 40,
        unit: 'kg',
        shippedAt: T(3),
        receivedAt: null,
        receivedQuantity: null,
        operator: 'Li Lei',
        eventIds: ['ev-ship-S-1'],
      },
    ]);
    expect(trace.parties.find((party) => party.partyId === 'dairy')?.involvement).toEqual([
      'receiver',
    ]);
  });

  it('matches a receipt to its shipment line by shipment id and batch id', () => {
    const trace = assembleTrace(
      givenTrace(
        { 'MILK-1': 0, 'MILK-2': 1 },
        {
          shipments: [
            shipment('S-1', 'MILK-1', 'farm', 'dairy'),
            shipment('S-1', 'MILK-2', 'farm', 'dairy'),
          ],
          receipts: [receipt('S-1', 'MILK-1', 'dairy', 'farm')],
        },
      ),
    );

    expect(trace.shipments.map((line) => [line.batchId, line.receivedAt, line.eventIds])).toEqual([
      ['MILK-1', T(4), ['ev-ship-S-1', 'ev-receive-S-1']],
      ['MILK-2', null, ['ev-ship-S-1']],
    ]);
  });

  it('keeps a receipt that no shipment matches, with shippedAt null', () => {
    const lines = matchShipments([], [receipt('S-9', 'MILK-1', 'dairy', 'farm')]);

    expect(lines).toEqual([
      expect.objectContaining({
        shipmentId: 'S-9',
        from: 'farm',
        to: 'dairy',
        shippedAt: null,
        receivedAt: T(4),
        eventIds: ['ev-receive-S-9'],
      }),
    ]);
  });

  it('lists a batch named only as an input, with nulls where its production would be', () => {
    const trace = assembleTrace(
      givenTrace(
        { 'GHOST-1': -1, 'MILK-1': 0 },
        {
          batches: [batch('MILK-1', 'farm', true)],
          derivations: [derivation('GHOST-1', 'MILK-1', 'farm')],
        },
      ),
    );

    expect(trace.batches[0]).toEqual({
      batchId: 'GHOST-1',
      product: null,
      producer: null,
      operator: null,
      quantity: null,
      unit: null,
      producedAt: null,
      eventId: null,
      depth: -1,
      flags: { recalled: false, failedInspection: false },
    });
    expect(trace.batches[1]).toMatchObject({
      batchId: 'MILK-1',
      product: { id: 'gtin-MILK-1', name: 'product MILK-1' },
      producer: 'farm',
      eventId: 'ev-produce-MILK-1',
      depth: 0,
    });
  });

  it('flags recalled batches and batches that failed an inspection', () => {
    const trace = assembleTrace(
      givenTrace(
        { 'MILK-1': 0, 'MILK-2': 1, 'MILK-3': 1 },
        {
          inspections: [inspection('MILK-2', 'lab', 'FAIL'), inspection('MILK-3', 'lab', 'PASS')],
          recalledBatchIds: new Set(['MILK-3']),
        },
      ),
    );

    expect(trace.batches.map((row) => [row.batchId, row.flags])).toEqual([
      ['MILK-1', { recalled: false, failedInspection: false }],
      ['MILK-2', { recalled: false, failedInspection: true }],
      ['MILK-3', { recalled: true, failedInspection: false }],
    ]);
    expect(trace.inspections[0]?.findings).toEqual([
      { item: 'melamine', value: '3.1', limit: '2.5', unit: 'mg/kg' },
    ]);
  });

  it('sorts batches by depth then id and drops a derivation found by both walks', () => {
    const twice = derivation('MILK-1', 'MILK-0', 'farm');
    const trace = assembleTrace(
      givenTrace(
        { 'B-2': 1, 'B-1': 1, 'MILK-0': -1, 'MILK-1': 0 },
        { derivations: [twice, twice] },
      ),
    );

    expect(trace.batches.map((row) => row.batchId)).toEqual(['MILK-0', 'MILK-1', 'B-1', 'B-2']);
    expect(trace.derivations).toHaveLength(1);
    expect(trace).toMatchObject({
      root: 'MILK-1',
      direction: 'both',
      truncated: false,
      limits: { maxDepth: 8, maxNodes: 100 },
    });
  });
});
