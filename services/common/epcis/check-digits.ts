/**
 * Check characters of the keys Suyuan reads: the GS1 mod-10 check digit (GTIN, GLN, SSCC, GSRN,
 * GSIN, GDTI, GRAI, GCN) and the GB 32100 check character of the 统一社会信用代码.
 */

/** GS1 General Specifications §7.9.1: weights 3 and 1 from the right, the digit tops up to 10. */
export function gs1CheckDigit(digitsWithoutCheck: string): string {
  let sum = 0;
  for (let i = 0; i < digitsWithoutCheck.length; i++) {
    const digit = digitsWithoutCheck.charCodeAt(digitsWithoutCheck.length - 1 - i) - 48;
    sum += digit * (i % 2 === 0 ? 3 : 1);
  }
  return String((10 - (sum % 10)) % 10);
}

/** Whether a whole all-digit key ends in its right check digit. */
export function hasValidCheckDigit(key: string): boolean {
  return /^\d{2,}$/.test(key) && gs1CheckDigit(key.slice(0, -1)) === key.slice(-1);
}

/**
 * A GTIN-8, -12, -13 or -14 with a valid check digit, as GTIN-14 (left-padded with zeros), or
 * undefined for anything else.
 */
export function gtin14(text: string): string | undefined {
  if (!/^(\d{8}|\d{12}|\d{13}|\d{14})$/.test(text) || !hasValidCheckDigit(text)) return undefined;
  return text.padStart(14, '0');
}

/** GB 32100-2015: 18 characters from this alphabet (no I, O, S, V, Z). */
const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/** Whether `code` is a 统一社会信用代码 (unified social credit code) with its check character. */
export function isValidUscc(code: string): boolean {
  if (!/^[0-9A-HJ-NP-RTUW-Y]{18}$/.test(code)) return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    sum += USCC_ALPHABET.indexOf(code.charAt(i)) * (USCC_WEIGHTS[i] ?? 0);
  }
  const check = (31 - (sum % 31)) % 31;
  return USCC_ALPHABET.charAt(check) === code.charAt(17);
}
