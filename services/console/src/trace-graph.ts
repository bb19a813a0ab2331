/**
 * The trace drawn with Cytoscape.js and the dagre layered layout, left to right: sources upstream
 * on the left, holders downstream on the right. Batches are nodes; derivations are edges between
 * batches; each shipment is an edge from its batch to the receiving party's node.
 */
import cytoscape, { type Core, type ElementDefinition } from 'cytoscape';
import dagre from 'cytoscape-dagre';
import type { Trace, TraceBatch } from '../../common/api/trace.js';

cytoscape.use(dagre);

const partyNodeId = (partyId: string) => `party:${partyId}`;

export function partyLabel(trace: Trace, partyId: string): string {
  const name = trace.parties.find((party) => party.partyId === partyId)?.name;
  return name ? `${name}` : partyId;
}

const batchLabel = (batch: TraceBatch) =>
  batch.product ? `${batch.batchId}\n${batch.product.name}` : batch.batchId;

function batchClasses(trace: Trace, batch: TraceBatch): string {
  const classes = ['batch'];
  if (batch.batchId === trace.root) classes.push('root');
  if (batch.flags.recalled) classes.push('recalled');
  if (batch.flags.failedInspection) classes.push('failed');
  return classes.join(' ');
}

/** The graph's elements for the batches within `maxDepth` levels of the root. */
export function traceElements(trace: Trace, maxDepth: number): ElementDefinition[] {
  const shown = new Set(
    trace.batches.filter((b) => Math.abs(b.depth) <= maxDepth).map((b) => b.batchId),
  );
  const elements: ElementDefinition[] = trace.batches
    .filter((batch) => shown.has(batch.batchId))
    .map((batch) => ({
      group: 'nodes',
      data: { id: batch.batchId, label: batchLabel(batch), kind: 'batch', depth: batch.depth },
      classes: batchClasses(trace, batch),
    }));
  for (const derivation of trace.derivations) {
    if (!shown.has(derivation.input) || !shown.has(derivation.output)) continue;
    elements.push({
      group: 'edges',
      data: {
        id: `d:${derivation.input}>${derivation.output}`,
        source: derivation.input,
        target: derivation.output,
      },
      classes: 'derivation',
    });
  }
  const parties = new Set<string>();
  for (const shipment of trace.shipments) {
    if (!shown.has(shipment.batchId)) continue;
    parties.add(shipment.to);
    elements.push({
      group: 'edges',
      data: {
        id: `s:${shipment.shipmentId}:${shipment.batchId}`,
        source: shipment.batchId,
        target: partyNodeId(shipment.to),
        label: shipment.shipmentId,
      },
      classes: shipment.receivedAt ? 'shipment' : 'shipment in-transit',
    });
  }
  for (const partyId of parties) {
    elements.push({
      group: 'nodes',
      data: { id: partyNodeId(partyId), label: partyLabel(trace, partyId), kind: 'party' },
      classes: 'party',
    });
  }
  return elements;
}

const STYLE: cytoscape.StylesheetJson = [
  {
    selector: 'node.batch',
    style: {
      shape: 'round-rectangle',
      'background-color': '#e8f1fb',
      'border-width': 1,
      'border-color': '#5b8bd0',
      label: 'data(label)',
      'text-wrap': 'wrap',
      'text-valign': 'center',
      'text-max-width': '170px',
      'font-size': 10,
      width: 180,
      height: 46,
    },
  },
  { selector: 'node.root', style: { 'border-width': 3, 'border-color': '#1d4f91' } },
  { selector: 'node.failed', style: { 'background-color': '#ffe4b8', 'border-color': '#d98200' } },
  {
    selector: 'node.recalled',
    style: { 'background-color': '#fbd3d3', 'border-color': '#c62828', 'border-width': 3 },
  },
  {
    selector: 'node.party',
    style: {
      shape: 'ellipse',
      'background-color': '#eeeeee',
      'border-width': 1,
      'border-color': '#888888',
      label: 'data(label)',
      'text-wrap': 'wrap',
      'text-max-width': '120px',
      'text-valign': 'center',
      'font-size': 9,
      width: 130,
      height: 34,
    },
  },
  { selector: 'node:selected', style: { 'overlay-opacity': 0.15, 'overlay-color': '#1d4f91' } },
  {
    selector: 'edge',
    style: {
      width: 1.5,
      'curve-style': 'bezier',
      'target-arrow-shape': 'triangle',
      'arrow-scale': 0.8,
    },
  },
  {
    selector: 'edge.derivation',
    style: { 'line-color': '#1d4f91', 'target-arrow-color': '#1d4f91' },
  },
  {
    selector: 'edge.shipment',
    style: { 'line-color': '#9e9e9e', 'target-arrow-color': '#9e9e9e', 'line-style': 'dashed' },
  },
  { selector: 'edge.in-transit', style: { 'line-color': '#d98200' } },
];

export interface TraceGraph {
  show(maxDepth: number): void;
  fit(): void;
  zoom(factor: number): void;
  destroy(): void;
}

export function drawTrace(
  container: HTMLElement,
  trace: Trace,
  onBatchClick: (batchId: string) => void,
): TraceGraph {
  const cy: Core = cytoscape({
    container,
    style: STYLE,
    wheelSensitivity: 0.3,
    minZoom: 0.02,
    maxZoom: 4,
  });
  cy.on('tap', 'node.batch', (event) => {
    const node = event.target as cytoscape.NodeSingular;
    onBatchClick(node.id());
  });
  const show = (maxDepth: number) => {
    cy.elements().remove();
    cy.add(traceElements(trace, maxDepth));
    cy.layout({
      name: 'dagre',
      rankDir: 'LR',
      nodeSep: 12,
      rankSep: 70,
      fit: true,
      padding: 20,
    } as cytoscape.LayoutOptions).run();
    container.dataset.rendered = String(cy.nodes('.batch').length);
    container.dataset.root = trace.root;
  };
  return {
    show,
    fit: () => cy.fit(undefined, 20),
    zoom: (factor) =>
      cy.zoom({
        level: cy.zoom() * factor,
        renderedPosition: { x: container.clientWidth / 2, y: container.clientHeight / 2 },
      }),
    destroy: () => cy.destroy(),
  };
}
