/**
 * Product names from an EPCIS document's master data (`epcisHeader.epcisMasterData`): the
 * EPCClass vocabulary's `descriptionShort` (CBV master data attribute), by GTIN. A lot Suyuan
 * creates from a commissioning event is named after it; without it, after its GTIN.
 */
import { parseGs1Uri } from './gs1-uri.js';

const NAME_ATTRIBUTE = /(descriptionShort|regulatedProductName)$/;

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const record = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};

export function productNamesOf(document: unknown): Map<string, string> {
  const names = new Map<string, string>();
  const masterData = record(record(record(document).epcisHeader).epcisMasterData);
  for (const vocabulary of list(masterData.vocabularyList)) {
    for (const element of list(record(vocabulary).vocabularyElementList)) {
      const { id, attributes } = record(element);
      const gtin = typeof id === 'string' ? parseGs1Uri(id)?.gtin : undefined;
      if (!gtin) continue;
      for (const attribute of list(attributes)) {
        const { id: name, attribute: value } = record(attribute);
        if (typeof name === 'string' && NAME_ATTRIBUTE.test(name) && typeof value === 'string') {
          names.set(gtin, value);
        }
      }
    }
  }
  return names;
}
