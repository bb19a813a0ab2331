/**
 * The EPCIS query's parameters as the API document states them: every value a parameter's
 * documented pattern admits is read, every other value is refused naming the parameter (so
 * Schemathesis's valid data is taken and its invalid data refused), and a time bound the store
 * could misread is read as the store's edge.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  parseEpcisQuery,
  QueryParameterError,
  queryParameters,
} from '../../../../services/common/epcis/query-params.js';

const refusal = (query: Record<string, unknown>) => {
  try {
    parseEpcisQuery(query);
    return undefined;
  } catch (error) {
    if (!(error instanceof QueryParameterError)) throw error;
    return { parameter: error.parameter, message: error.message };
  }
};

describe('EPCIS query parameters', () => {
  it.each(Object.keys(queryParameters()))('%s: reads every value its pattern admits', (name) => {
    const source = queryParameters()[name]!.pattern;
    const pattern = new RegExp(source);
    // fast-check draws from no lookahead: drawn without it, kept when the whole pattern admits.
    const drawn = fc
      .stringMatching(new RegExp(source.replaceAll(/\(\?!\([^()]*\)\)/g, '')))
      .filter((value) => pattern.test(value));
    fc.assert(
      fc.property(drawn, (value) => {
        expect(refusal({ [name]: value }), JSON.stringify(value)).toBeUndefined();
      }),
      { numRuns: 200 },
    );
  });

  it.each(Object.keys(queryParameters()))('%s: refuses every value it does not', (name) => {
    const pattern = new RegExp(queryParameters()[name]!.pattern);
    fc.assert(
      fc.property(
        fc.string({ maxLength: 40 }).filter((value) => value !== '' && !pattern.test(value)),
        (value) => {
          expect(refusal({ [name]: value })).toEqual({
            parameter: name,
            message: queryParameters()[name]!.message,
          });
        },
      ),
      { numRuns: 200 },
    );
  });

  it('refuses an unknown action or CBV value, and an empty value between bars', () => {
    expect(refusal({ EQ_action: 'FOO' })?.parameter).toBe('EQ_action');
    expect(refusal({ EQ_bizStep: 'shipping|teleporting' })?.parameter).toBe('EQ_bizStep');
    expect(refusal({ EQ_bizStep: 'https://ref.gs1.org/cbv/BizStep-teleporting' })?.parameter).toBe(
      'EQ_bizStep',
    );
    expect(refusal({ EQ_disposition: 'urn:epcglobal:cbv:disp:nowhere' })?.parameter).toBe(
      'EQ_disposition',
    );
    expect(refusal({ EQ_eventID: 'a||b' })?.parameter).toBe('EQ_eventID');
    expect(refusal({ EXISTS_errorDeclaration: 'yes' })?.parameter).toBe('EXISTS_errorDeclaration');
  });

  it('reads CBV values bare or as URIs, and private vocabularies', () => {
    const query = parseEpcisQuery({
      EQ_bizStep: 'shipping|urn:epcglobal:cbv:bizstep:receiving|https://example.com/steps/milking',
      EQ_disposition: ['https://ref.gs1.org/cbv/Disp-in_transit', 'non_conformant'],
      EQ_action: 'ADD|OBSERVE',
    });
    expect(query.bizSteps).toEqual(['shipping', 'receiving', 'https://example.com/steps/milking']);
    expect(query.dispositions).toEqual(['in_transit', 'non_conformant']);
    expect(query.actions).toEqual(['ADD', 'OBSERVE']);
  });

  it('reads a time bound outside the times the store holds as the store’s edge', () => {
    const query = parseEpcisQuery({
      LT_eventTime: '0050-06-01T00:00:00Z',
      GE_recordTime: '9999-12-31T23:59:59.999999-05:00',
      GE_eventTime: '2026-11-20t08:00:00 08:00', // an unencoded + arrives as a space
    });
    expect(query.eventTime.lt).toBe('1900-01-01T00:00:00.000Z');
    expect(query.recordTime.ge).toBe('2300-01-01T00:00:00.000Z');
    expect(query.eventTime.ge).toBe('2026-11-20T00:00:00.000Z');
  });
});
