import { describe, expect, it } from 'vitest';
import { createEventCodec, type EventCodec } from '../../../../services/common/events/codec.js';
import { decodeOnce } from '../../../../services/common/events/decode-once.js';
import { sampleEvents } from '../../../support/sample-events.js';

/** The real codec, counting its decodes. */
function countingCodec() {
  const codec = createEventCodec();
  const counted = { decodes: 0 };
  const wrapped: EventCodec = {
    ...codec,
    decode: (message) => {
      counted.decodes += 1;
      return codec.decode(message);
    },
  };
  return { codec: wrapped, counted };
}

describe('decoding each message once', () => {
  it('gives every caller with the same message the same event, decoded once', () => {
    const { codec, counted } = countingCodec();
    const once = decodeOnce(codec);
    for (const event of sampleEvents()) {
      const message = once.encode(event);
      const first = once.decode(message);
      expect(first).toEqual(event);
      expect(once.decode(message)).toBe(first);
      // Another message with the same bytes is decoded on its own.
      expect(once.decode(Buffer.from(message))).not.toBe(first);
    }
    expect(counted.decodes).toBe(sampleEvents().length * 2);
  });

  it('freezes the shared event to its last nested list, so no caller changes it for the others', () => {
    const once = decodeOnce(createEventCodec());
    const production = sampleEvents().find((event) => event.eventType === 'BatchProduced');
    if (production?.eventType !== 'BatchProduced') throw new Error('no BatchProduced sample');
    const event = once.decode(once.encode(production));
    if (event.eventType !== 'BatchProduced') throw new Error('decoded another type');
    expect(event.inputs.length).toBeGreaterThan(0);
    expect(() => (event.inputs as unknown[]).push({})).toThrow(TypeError);
    expect(() => Object.assign(event.inputs[0] as object, { quantity: 0 })).toThrow(TypeError);
    expect(() => Object.assign(event.product, { name: 'changed' })).toThrow(TypeError);
    expect(once.decode(once.encode(production))).toEqual(production);
  });

  it('keeps nothing for a message it cannot decode: each caller gets the error', () => {
    const { codec, counted } = countingCodec();
    const once = decodeOnce(codec);
    const damaged = Buffer.from([0, 0, 0, 0, 99, 1, 2]);
    expect(() => once.decode(damaged)).toThrow(
      expect.objectContaining({ code: 'decode_failed' }) as Error,
    );
    expect(() => once.decode(damaged)).toThrow(
      expect.objectContaining({ code: 'decode_failed' }) as Error,
    );
    expect(counted.decodes).toBe(2);
  });
});
