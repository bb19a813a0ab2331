/**
 * Units: EPCIS writes UN/ECE Recommendation 20 codes (`KGM`), Suyuan's native events the units
 * people write (`kg`). The common ones map both ways; a code without a native name stays the
 * code, and a native unit without a code travels in the `suyuan:unit` extension.
 */

/** UN/ECE Rec 20 code → the native unit Suyuan's own clients write. */
const NATIVE_OF_CODE: Readonly<Record<string, string>> = {
  KGM: 'kg',
  GRM: 'g',
  MGM: 'mg',
  TNE: 't',
  LTR: 'L',
  MLT: 'mL',
  MTQ: 'm3',
  MTR: 'm',
  EA: 'EA',
  H87: 'pcs',
};

const CODE_OF_NATIVE = new Map(
  Object.entries(NATIVE_OF_CODE).map(([code, unit]) => [unit.toLowerCase(), code]),
);

/** The unit a count without a unit of measure has: each. */
export const EACH = 'EA';

/** The native unit of an EPCIS quantity element's `uom` (absent: a count of instances, EA). */
export function nativeUnit(uom: string | undefined): string {
  if (uom === undefined) return EACH;
  return NATIVE_OF_CODE[uom] ?? uom;
}

/** The Rec 20 code of a native unit, or undefined when it has none. */
export function uomCode(unit: string): string | undefined {
  const code = CODE_OF_NATIVE.get(unit.toLowerCase());
  if (code !== undefined) return code;
  return /^[A-Z0-9]{2,3}$/.test(unit) ? unit : undefined;
}
