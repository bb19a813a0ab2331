/**
 * The order the projector writes a batch's rows in, table by table, and why it matters: a refused
 * event's rows are taken out again by its event id, which takes out only its own rows where every
 * row is keyed by its event's id.
 */
import { emptyRows, type ProjectionTable } from './projection.js';

/**
 * The tables whose rows are not keyed by their event's id, so that a later event's row replaces
 * an earlier event's: an error declaration's `epcis_events` row replaces its capture's, a notice
 * issued again the first. An event has rows in one of them at most. The projector writes them
 * after every other table ({@link WRITE_ORDER}), so an event the store refuses never reaches them,
 * and taking its rows out again by event id cannot take away a row its own replaced.
 */
export const KEYED_ACROSS_EVENTS: readonly ProjectionTable[] = ['recall_notices', 'epcis_events'];

/** Every table, in the order the projector writes them: those keyed across events last. */
export const WRITE_ORDER: readonly ProjectionTable[] = [
  ...(Object.keys(emptyRows()) as ProjectionTable[]).filter(
    (table) => !KEYED_ACROSS_EVENTS.includes(table),
  ),
  ...KEYED_ACROSS_EVENTS,
];
