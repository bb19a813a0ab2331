/** Log topics. Every event of every type goes to one topic, keyed by its primary batch. */
export const EVENTS_TOPIC = 'suyuan.events';
/** Messages the projector could not decode, with headers naming where they came from and why. */
export const EVENTS_DEAD_LETTER_TOPIC = 'suyuan.events.dlq';

/**
 * Consumer groups. The recall service waits on the projector's committed offsets, so both names
 * live here, beside the topic they read.
 */
export const PROJECTOR_GROUP = 'suyuan-projector';
export const RECALL_GROUP = 'suyuan-recall';
/** The proof keeper's group: it keeps the Merkle trees of the events topic (docs/proofs.md). */
export const PROOF_GROUP = 'suyuan-proofs';
