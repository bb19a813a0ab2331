import type { SuyuanEvent } from './event-types.generated.js';

/** An event before ingest stamps `recordedAt`: what a client posts, or what a capture maps to. */
export type UnstampedEvent = SuyuanEvent extends infer E
  ? E extends SuyuanEvent
    ? Omit<E, 'recordedAt'>
    : never
  : never;
