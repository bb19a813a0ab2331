import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  gs1CheckDigit,
  gtin14,
  isValidUscc,
} from '../../../../services/common/epcis/check-digits.js';
import { canonicalUri, parseGs1Uri } from '../../../../services/common/epcis/gs1-uri.js';
import {
  partyIdentifierKey,
  registrableIdentifier,
} from '../../../../services/common/epcis/party-identifiers.js';

describe('GS1 check digits', () => {
  it('computes the mod-10 check digit of GTINs, GLNs and SSCCs', () => {
    expect(gs1CheckDigit('8061414112345')).toBe('8'); // GTIN 80614141123458 (EPC TDS example)
    expect(gs1CheckDigit('061414100777')).toBe('6');
    expect(gs1CheckDigit('10614141234567890')).toBe('8');
  });

  it('reads GTIN-8/12/13/14 with a valid check digit as GTIN-14', () => {
    expect(gtin14('6901234567892')).toBe('06901234567892');
    expect(gtin14('06901234567892')).toBe('06901234567892');
    expect(gtin14('6901234567893')).toBeUndefined();
    expect(gtin14('SKU-1')).toBeUndefined();
  });

  it('checks the 统一社会信用代码 check character (GB 32100)', () => {
    expect(isValidUscc('91350100M000100Y43')).toBe(true);
    expect(isValidUscc('91110000802100433B')).toBe(true);
    expect(isValidUscc('91350100M000100Y44')).toBe(false);
    expect(isValidUscc('91350100M000100Y4')).toBe(false);
    expect(isValidUscc('9135010OM000100Y43')).toBe(false); // O is not in the alphabet
  });
});

describe('EPC URNs and Digital Links to the canonical Digital Link', () => {
  it.each([
    ['urn:epc:id:sgtin:0614141.107346.2017', 'https://id.gs1.org/01/10614141073464/21/2017'],
    ['urn:epc:id:sscc:0614141.1234567890', 'https://id.gs1.org/00/106141412345678908'],
    ['urn:epc:id:sgln:0614141.07346.1234', 'https://id.gs1.org/414/0614141073467/254/1234'],
    ['urn:epc:id:sgln:0614141.00777.0', 'https://id.gs1.org/414/0614141007776'],
    ['urn:epc:id:pgln:0614141.00777', 'https://id.gs1.org/417/0614141007776'],
    ['urn:epc:class:lgtin:4012345.012345.998877', 'https://id.gs1.org/01/04012345123456/10/998877'],
    ['urn:epc:idpat:sgtin:4012345.066666.*', 'https://id.gs1.org/01/04012345666663'],
    ['urn:epc:id:grai:4012345.66666.87', 'https://id.gs1.org/8003/0401234566666387'],
    ['urn:epc:id:giai:4000001.111', 'https://id.gs1.org/8004/4000001111'],
    [
      'urn:epc:id:itip:4012345.012345.01.02.999',
      'https://id.gs1.org/8006/040123451234560102/21/999',
    ],
    ['urn:epc:id:cpi:4012345.ABC.123', 'https://id.gs1.org/8010/4012345ABC/8011/123'],
    // Digital Links: any host and path prefix, short names, the finest level only, no query.
    ['https://id.gs1.de/00/040123451111111110', 'https://id.gs1.org/00/040123451111111110'],
    [
      'https://example.com/shop/gtin/614141123452/lot/L1',
      'https://id.gs1.org/01/00614141123452/10/L1',
    ],
    [
      'https://id.gs1.org/01/09506000134352/10/ABC/21/12345?17=201225',
      'https://id.gs1.org/01/09506000134352/21/12345',
    ],
    [
      'https://id.gs1.org/01/09506000134352/22/2A/10/L1',
      'https://id.gs1.org/01/09506000134352/10/L1',
    ],
  ])('%s → %s', (uri, canonical) => {
    expect(canonicalUri(uri)).toBe(canonical);
  });

  it('says which kind of key each is, and keeps class patterns apart', () => {
    expect(parseGs1Uri('urn:epc:id:sgtin:0614141.107346.2017')?.kind).toBe('sgtin');
    expect(parseGs1Uri('urn:epc:class:lgtin:4012345.012345.998877')?.kind).toBe('lgtin');
    expect(parseGs1Uri('urn:epc:idpat:sgtin:4012345.066666.*')).toMatchObject({
      kind: 'gtin',
      pattern: true,
    });
    expect(parseGs1Uri('https://id.gs1.org/01/04012345666663')?.pattern).toBe(true);
  });

  it('flags a Digital Link whose check digit is wrong', () => {
    expect(parseGs1Uri('https://id.gs1.org/01/10614141073465/21/1')?.checkDigitValid).toBe(false);
    expect(parseGs1Uri('https://id.gs1.org/01/10614141073464/21/1')?.checkDigitValid).toBe(true);
  });

  it('leaves other URIs alone', () => {
    for (const uri of [
      'urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6',
      'http://transaction.acme.com/po/12345678',
      'urn:epc:id:sgtin:0614141.10734.2017', // company prefix and item reference: 12 digits, not 13
      'urn:epc:idpat:sgtin:4012345.*.*',
      'geo:50.94,6.92',
    ]) {
      expect(canonicalUri(uri)).toBe(uri);
    }
  });

  const companyPrefix = fc
    .integer({ min: 6, max: 12 })
    .chain((length) => fc.stringMatching(new RegExp(`^\\d{${length}}$`)));
  const serial = fc.stringMatching(/^[0-9A-Za-z_-]{1,20}$/);

  it('gives an SGTIN URN and its Digital Link the same canonical form (property)', () => {
    fc.assert(
      fc.property(companyPrefix, fc.nat(), serial, (cp, n, ser) => {
        const itemRef = String(n)
          .padStart(13 - cp.length, '0')
          .slice(-(13 - cp.length));
        const urn = `urn:epc:id:sgtin:${cp}.${itemRef}.${ser}`;
        const key = parseGs1Uri(urn);
        expect(key?.kind).toBe('sgtin');
        const gtin = key?.gtin as string;
        expect(gtin).toHaveLength(14);
        expect(gtin14(gtin)).toBe(gtin); // the check digit the URN lacks is computed right
        expect(gtin.slice(1, 1 + cp.length)).toBe(cp);
        // The canonical form is a fixed point, and the same from any host.
        const dl = key?.canonical as string;
        expect(canonicalUri(dl)).toBe(dl);
        expect(canonicalUri(dl.replace('https://id.gs1.org', 'https://brand.example.cn/p'))).toBe(
          dl,
        );
      }),
    );
  });
});

describe('party identifiers', () => {
  it('maps a party GLN and a location GLN to one key', () => {
    const key = 'https://id.gs1.org/417/0614141007776';
    expect(partyIdentifierKey('urn:epc:id:pgln:0614141.00777')).toBe(key);
    expect(partyIdentifierKey('urn:epc:id:sgln:0614141.00777.0')).toBe(key);
    expect(partyIdentifierKey('urn:epc:id:sgln:0614141.00777.dock-4')).toBe(key);
    expect(partyIdentifierKey('https://id.gs1.org/414/0614141007776')).toBe(key);
  });

  it('accepts GLNs and 统一社会信用代码 for registration, naming what is wrong otherwise', () => {
    expect(registrableIdentifier('https://id.gs1.org/417/0614141007776')).toEqual({
      key: 'https://id.gs1.org/417/0614141007776',
    });
    expect(registrableIdentifier('urn:suyuan:uscc:91350100m000100y43')).toEqual({
      key: 'urn:suyuan:uscc:91350100M000100Y43',
    });
    expect(registrableIdentifier('https://id.gs1.org/417/0614141007777')).toEqual({
      problem: 'the GLN check digit is wrong',
    });
    expect(registrableIdentifier('urn:suyuan:uscc:91350100M000100Y44')).toMatchObject({
      problem: expect.stringContaining('GB 32100'),
    });
    expect(registrableIdentifier('urn:epc:id:sgtin:0614141.107346.2017')).toMatchObject({
      problem: expect.stringContaining('PGLN'),
    });
  });
});
