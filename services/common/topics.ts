/** Log topics. Every event of every type goes to one topic, keyed by its primary batch. */
export const EVENTS_TOPIC = 'suyuan.events';
/** Messages the projector could not decode, with headers naming where they came from and why. */
export const EVENTS_DEAD_LETTER_TOPIC = 'suyuan.events.dlq';
